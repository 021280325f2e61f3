import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  TimeoutFailure,
  allHandlersFinished,
  condition,
  executeChild,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
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
import { childEscalationSignal, PROCESS_WORKFLOW_TYPE } from './definitions.js';
import type { CallPolicy, WorkflowPort } from './engine/workflow-port.js';
import { processSearchAttributes as SA, startSearchAttributes } from './search-attributes.js';
import type { InstanceOptions, ProcessInput, ProcessResult } from './types.js';

const agentOptions: ActivityOptions = {
  startToCloseTimeout: '5 minutes',
  retry: { maximumAttempts: 3, initialInterval: '1 second', backoffCoefficient: 2 },
};
/** Plan loading, call-activity and decision resolution: reads of the Transformation Domain. */
const platformOptions: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 5, initialInterval: '1 second', backoffCoefficient: 2 },
};
const platform = proxyActivities<ProcessActivities>(platformOptions);
/**
 * Plan loading as a local activity: run by the worker that runs the workflow task, inside it,
 * with a marker in history instead of a round trip through the task queue
 * ({@link LOCAL_PLATFORM_ACTIVITIES_PATCH}).
 */
const localPlatform = proxyLocalActivities<ProcessActivities>(platformOptions);

/**
 * `patched()` id under which the two platform activities every instance runs (plan loading and
 * the lifecycle events) are local activities: a 1-task instance then makes one round trip
 * through the task queue instead of four. Histories recorded before it schedule them on the task
 * queue and replay that way. Call-activity and decision resolution stay ordinary activities.
 */
export const LOCAL_PLATFORM_ACTIVITIES_PATCH = 'local-platform-activities';

/**
 * `patched()` id under which a called instance signals its parent an escalation it did not
 * catch (a command older histories do not have: they replay without it).
 */
export const CHILD_ESCALATIONS_PATCH = 'child-escalations';

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
export function createTemporalPort(
  options: InstanceOptions = {},
  { local = false }: { readonly local?: boolean } = {},
): WorkflowPort {
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
    loadPlan: (ref, tenantId) => (local ? localPlatform : platform).loadPlan(ref, tenantId),
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
        typedSearchAttributes: startSearchAttributes(
          input.actor.tenantId,
          input.definition,
          input.businessKey,
        ),
      }),
    escalateToParent: (escalation) => {
      const info = workflowInfo();
      if (!info.parent || !patched(CHILD_ESCALATIONS_PATCH)) return undefined;
      // By workflow id: a parent waiting for its call activity does not continue as new.
      return getExternalWorkflowHandle(info.parent.workflowId)
        .signal(childEscalationSignal, {
          childWorkflowId: info.workflowId,
          code: escalation.code,
          nodeId: escalation.nodeId,
        })
        .catch(() => {
          // The caller has ended: nobody catches it, as in a top-level instance.
        });
    },
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
    patched: (id) => patched(id),
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
