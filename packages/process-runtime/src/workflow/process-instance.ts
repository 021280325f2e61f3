import {
  ApplicationFailure,
  CancellationScope,
  continueAsNew,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { InstanceLifecycleEvent, ProcessActivities } from './activity-types.js';
import {
  auditQuery,
  completeUserTaskUpdate,
  messageSignal,
  childEscalationSignal,
  stateQuery,
  statusQuery,
  tokensQuery,
  userTasksQuery,
  variablesQuery,
} from './definitions.js';
import { ProcessEngine } from './engine/process-engine.js';
import { runInstance } from './engine/run-instance.js';
import { createTemporalPort, LOCAL_PLATFORM_ACTIVITIES_PATCH } from './temporal-port.js';
import { validateCompletion } from './validate-completion.js';
import type { CompleteUserTaskRequest, ProcessInput, ProcessResult } from './types.js';

/**
 * The interpreter workflow: runs one process instance of a published ExecutionPlan, pinned to
 * `input.definition.planHash`. The plan is loaded once by an activity (so it is in history and
 * replay never reads the Transformation Domain), or carried over by continue-as-new.
 *
 * Outcomes: returns {@link ProcessResult} on a none/terminate end; fails with an
 * ApplicationFailure of type `BpmnError` (details: [code]) on an uncaught BPMN error, after
 * compensating; fails with `ProcessIncident` when the plan cannot go on; ends cancelled after
 * compensating when cancelled.
 *
 * This function is the Temporal edge only: the semantics live in the {@link ProcessEngine}, which
 * reaches Temporal through {@link createTemporalPort}.
 */
export async function processInstance(input: ProcessInput): Promise<ProcessResult> {
  // Asked before any command, so every run (continued ones too) decides once.
  const local = patched(LOCAL_PLATFORM_ACTIVITIES_PATCH);
  const engine = new ProcessEngine(input, createTemporalPort(input.options, { local }));
  const record = recorder(input, local);
  installHandlers(engine);
  // Instances started before lifecycle events existed replay without them (their recorded
  // histories have no such activity), and never record an end without its start.
  let lifecycle = input.lifecycleEvents === true;
  if (!input.resume && patched(LIFECYCLE_EVENTS_PATCH)) {
    await record('started');
    lifecycle = true;
  }
  let end: Awaited<ReturnType<typeof runInstance>>;
  try {
    end = await runInstance(engine);
  } catch (err) {
    if (lifecycle && isCancellation(err))
      await CancellationScope.nonCancellable(() => record('cancelled'));
    throw err;
  }
  if (lifecycle && end.type !== 'continueAsNew')
    await record(end.type, end.type === 'failed' ? end.message : undefined);
  switch (end.type) {
    case 'continueAsNew':
      return await continueAsNew<typeof processInstance>({
        ...input,
        resume: end.resume,
        ...(lifecycle ? { lifecycleEvents: true } : {}),
      });
    case 'failed':
      throw ApplicationFailure.create({
        type: end.failureType,
        message: end.message,
        nonRetryable: true,
        ...(end.details ? { details: [...end.details] } : {}),
      });
    case 'completed':
      return { ...end.result, state: engine.view() };
  }
}

/** `patched()` id of the lifecycle events (started / completed / failed / cancelled activities). */
export const LIFECYCLE_EVENTS_PATCH = 'instance-lifecycle-events';

const lifecycleOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
} as const;
type LifecycleActivities = Pick<ProcessActivities, 'recordInstanceEvent'>;
const lifecycleActivities = proxyActivities<LifecycleActivities>(lifecycleOptions);
const localLifecycleActivities = proxyLocalActivities<LifecycleActivities>(lifecycleOptions);

/** Records lifecycle events, as local activities when `local` (see LOCAL_PLATFORM_ACTIVITIES_PATCH). */
const recorder =
  (input: ProcessInput, local: boolean) =>
  (kind: InstanceLifecycleEvent['kind'], error?: string): Promise<void> =>
    (local ? localLifecycleActivities : lifecycleActivities).recordInstanceEvent({
      kind,
      tenantId: input.actor.tenantId,
      // Workflow ids are `<tenant>:<instance id>`; events carry the id StartProcess answered.
      instanceId: workflowInfo().workflowId.slice(input.actor.tenantId.length + 1),
      definition: input.definition.name,
      version: input.definition.version,
      businessKey: input.businessKey,
      ...(input.traceparent ? { traceparent: input.traceparent } : {}),
      occurredAt: new Date().toISOString(),
      ...(error ? { error } : {}),
    });

function installHandlers(engine: ProcessEngine): void {
  const { state } = engine;
  setHandler(
    completeUserTaskUpdate,
    (req) => {
      const task = engine.completeTask(req.taskId, req.userId, { ...req.data });
      return { taskId: task.taskId, nodeId: task.nodeId };
    },
    {
      validator: (req: CompleteUserTaskRequest) =>
        validateCompletion(engine.openTask(req.taskId), req),
    },
  );
  setHandler(messageSignal, (message) => {
    engine.deliver(message);
  });
  setHandler(childEscalationSignal, (escalation) => {
    engine.childEscalated(escalation);
  });
  setHandler(stateQuery, () => engine.view());
  setHandler(statusQuery, () => state.status);
  setHandler(tokensQuery, () => engine.tokenViews());
  setHandler(variablesQuery, () => state.variables);
  setHandler(userTasksQuery, () => state.openTasks());
  setHandler(auditQuery, () => state.audit);
}
