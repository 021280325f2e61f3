import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  TimeoutFailure,
  allHandlersFinished,
  condition,
  executeChild,
  isCancellation,
  proxyActivities,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import {
  BPMN_ERROR_TYPE,
  type DomainFailureDetails,
  type ProcessActivities,
} from './activity-types.js';
import { BpmnError, normalizeErrorCode } from './bpmn-errors.js';
import { PROCESS_WORKFLOW_TYPE } from './definitions.js';
import type { CallPolicy, WorkflowPort } from './engine/workflow-port.js';
import { processSearchAttributes as SA } from './search-attributes.js';
import type { InstanceOptions, ProcessInput, ProcessResult } from './types.js';

const agentOptions: ActivityOptions = {
  startToCloseTimeout: '5 minutes',
  retry: { maximumAttempts: 3, initialInterval: '1 second', backoffCoefficient: 2 },
};
/** Plan loading, call-activity and decision resolution: reads of the Transformation Domain. */
const platform = proxyActivities<ProcessActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 5, initialInterval: '1 second', backoffCoefficient: 2 },
});

function serviceActivities(policy: CallPolicy): ProcessActivities {
  return proxyActivities<ProcessActivities>({
    startToCloseTimeout: policy.timeoutMs,
    retry: {
      maximumAttempts: policy.retry.maxAttempts,
      initialInterval: policy.retry.initialIntervalMs,
      backoffCoefficient: policy.retry.backoff,
    },
  });
}

/**
 * The process engine's port on Temporal: each operation is the `@temporalio/workflow` call it
 * names, returned as is (no extra await), so the engine issues the same commands in the same
 * order as when it called Temporal itself. Scopes are `CancellationScope`s; a continue-as-new is
 * suggested by Temporal, or after `options.continueAsNewAfterEvents` history events.
 */
export function createTemporalPort(options: InstanceOptions = {}): WorkflowPort {
  const threshold = options.continueAsNewAfterEvents;
  return {
    workflowId: () => workflowInfo().workflowId,
    now: () => Date.now(),
    sleep: (ms) => sleep(ms),
    condition: (fn) => condition(fn),
    scope: () => new CancellationScope(),
    nonCancellable: (fn) => CancellationScope.nonCancellable(fn),
    isCancellation: (err) => isCancellation(err),
    bpmnError: bpmnErrorFrom,
    loadPlan: (ref, tenantId) => platform.loadPlan(ref, tenantId),
    resolveDefinition: (tenantId, name, version) =>
      platform.resolveDefinition(tenantId, name, version),
    loadDecision: (tenantId, name, version) => platform.loadDecision(tenantId, name, version),
    callService: (call, policy) => serviceActivities(policy).callService(call),
    invokeAgent: (call) => proxyActivities<ProcessActivities>(agentOptions).invokeAgent(call),
    broadcastSignal: (broadcast) => platform.broadcastSignal(broadcast),
    executeChild: (workflowId, input) =>
      executeChild<(input: ProcessInput) => Promise<ProcessResult>>(PROCESS_WORKFLOW_TYPE, {
        workflowId,
        args: [input],
        typedSearchAttributes: [
          { key: SA.tenant, value: input.actor.tenantId },
          { key: SA.definition, value: input.definition.name },
          { key: SA.version, value: input.definition.version },
          { key: SA.status, value: 'RUNNING' },
          { key: SA.businessKey, value: input.businessKey },
        ],
      }),
    publish: (attributes) => {
      const updates: SearchAttributeUpdatePair[] = [];
      if (attributes.status !== undefined)
        updates.push({ key: SA.status, value: attributes.status });
      if (attributes.taskCandidates)
        updates.push({ key: SA.taskCandidates, value: [...attributes.taskCandidates] });
      if (attributes.messages) updates.push({ key: SA.messages, value: [...attributes.messages] });
      upsertSearchAttributes(updates);
    },
    continueAsNewSuggested: () => {
      const info = workflowInfo();
      return threshold !== undefined
        ? info.historyLength >= threshold
        : info.continueAsNewSuggested;
    },
    handlersFinished: () => allHandlersFinished(),
  };
}

/**
 * Turns a failed activity or child workflow into a BpmnError: a domain error's ErrorInfo reason
 * becomes the error code; a timeout becomes `DEADLINE_EXCEEDED`.
 */
export function bpmnErrorFrom(err: unknown): BpmnError | undefined {
  if (err instanceof ActivityFailure || err instanceof ChildWorkflowFailure) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure) {
      const details = cause.details?.[0] as Partial<DomainFailureDetails> | string | undefined;
      if (cause.type === BPMN_ERROR_TYPE && typeof details === 'string')
        return new BpmnError(details, cause.message);
      if (
        details !== undefined &&
        typeof details === 'object' &&
        typeof details.reason === 'string'
      )
        return new BpmnError(details.reason, cause.message);
      return new BpmnError(normalizeErrorCode(cause.type ?? 'UNKNOWN'), cause.message);
    }
    if (cause instanceof TimeoutFailure) return new BpmnError('DEADLINE_EXCEEDED', cause.message);
    return new BpmnError('UNKNOWN', cause?.message ?? err.message);
  }
  return undefined;
}
