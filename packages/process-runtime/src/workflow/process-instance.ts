import {
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { BPMN_ERROR_TYPE, INCIDENT_TYPE, type ProcessActivities } from './activity-types.js';
import { BpmnError, ProcessIncident } from './bpmn-errors.js';
import {
  auditQuery,
  completeUserTaskUpdate,
  messageSignal,
  stateQuery,
  statusQuery,
  tokensQuery,
  userTasksQuery,
  variablesQuery,
} from './definitions.js';
import { Interpreter } from './interpreter.js';
import { validateCompletion } from './validate-completion.js';
import type {
  CompleteUserTaskRequest,
  InstanceState,
  ProcessInput,
  ProcessResult,
} from './types.js';

const { loadPlan } = proxyActivities<ProcessActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 5, initialInterval: '1 second', backoffCoefficient: 2 },
});

const DEFAULT_AUDIT_KEEP = 1000;

/**
 * The interpreter workflow: runs one process instance of a published ExecutionPlan, pinned to
 * `input.definition.planHash`. The plan is loaded once by an activity (so it is in history and
 * replay never reads the Transformation Domain), or carried over by continue-as-new.
 *
 * Outcomes: returns {@link ProcessResult} on a none/terminate end; fails with an
 * ApplicationFailure of type `BpmnError` (details: [code]) on an uncaught BPMN error, after
 * compensating; fails with `ProcessIncident` when the plan cannot go on; ends cancelled after
 * compensating when cancelled.
 */
export async function processInstance(input: ProcessInput): Promise<ProcessResult> {
  const interp = new Interpreter(input);
  installHandlers(interp);

  const planJson =
    input.resume?.planJson ?? (await loadPlan(input.definition, input.actor.tenantId));
  interp.setPlan(planJson);
  if (!input.resume)
    interp.log('started', undefined, {
      by: input.actor.userId,
      detail: `${input.definition.name} v${input.definition.version}`,
    });
  else interp.log('continuedAsNew', undefined, { detail: `run ${interp.runs}` });
  interp.syncTaskAttributes();

  const threshold = input.options?.continueAsNewAfterEvents;
  const wantsContinueAsNew = (): boolean => {
    const info = workflowInfo();
    return threshold !== undefined ? info.historyLength >= threshold : info.continueAsNewSuggested;
  };

  const main = interp.runProcess().then((outcome) => ({ outcome }));
  const rollover = () =>
    condition(() => wantsContinueAsNew() && interp.quiescent()).then(() => 'continue' as const);
  let finished: Awaited<typeof main>;
  try {
    let first = await Promise.race([main, rollover()]);
    // An update may land while handlers finish: only roll over from a state that is still quiescent.
    while (first === 'continue') {
      await condition(allHandlersFinished);
      if (interp.quiescent()) break;
      first = await Promise.race([main, rollover()]);
    }
    if (first === 'continue') {
      const keep = input.options?.auditKeep ?? DEFAULT_AUDIT_KEEP;
      const dropped = Math.max(0, interp.audit.length - keep);
      return await continueAsNew<typeof processInstance>({
        ...input,
        resume: {
          planJson,
          variables: interp.variables,
          tokens: interp.resumeTokens(),
          joins: interp.joinsOfRoot(),
          tasks: [...interp.tasks.values()],
          completions: Object.fromEntries(interp.completions),
          inbox: interp.inbox,
          compensations: interp.compensations,
          audit: interp.audit.slice(dropped),
          auditDropped: interp.auditDropped + dropped,
          seq: interp.seq,
          runs: interp.runs + 1,
        },
      });
    }
    finished = first;
  } catch (err) {
    if (isCancellation(err)) {
      interp.log('cancelled');
      await CancellationScope.nonCancellable(() => interp.compensate('root'));
      interp.setStatus('CANCELLED');
      throw err;
    }
    if (err instanceof BpmnError) {
      interp.errorCode = err.code;
      interp.errorMessage = err.message;
      await interp.compensate('root');
      interp.setStatus('FAILED');
      interp.log('finished', undefined, { detail: `failed: ${err.code}` });
      throw ApplicationFailure.create({
        type: BPMN_ERROR_TYPE,
        message: err.message,
        nonRetryable: true,
        details: [err.code],
      });
    }
    if (
      err instanceof ProcessIncident ||
      (err instanceof Error && err.name === 'FeelEvaluationError')
    ) {
      interp.errorCode = INCIDENT_TYPE;
      interp.errorMessage = err.message;
      interp.setStatus('FAILED');
      interp.log('failed', err instanceof ProcessIncident ? err.nodeId : undefined, {
        detail: err.message,
      });
      throw ApplicationFailure.create({
        type: INCIDENT_TYPE,
        message: err.message,
        nonRetryable: true,
      });
    }
    throw err;
  }
  interp.setStatus('COMPLETED');
  interp.log('finished', finished.outcome.endEvent, { detail: finished.outcome.kind });
  await condition(allHandlersFinished);
  return {
    status: 'COMPLETED',
    variables: interp.variables,
    ...(finished.outcome.endEvent ? { endEvent: finished.outcome.endEvent } : {}),
    terminated: finished.outcome.kind === 'terminated',
  };
}

function installHandlers(interp: Interpreter): void {
  setHandler(
    completeUserTaskUpdate,
    (req) => {
      const task = interp.completeTask(req.taskId, req.userId, { ...req.data });
      return { taskId: task.taskId, nodeId: task.nodeId };
    },
    {
      validator: (req: CompleteUserTaskRequest) =>
        validateCompletion(interp.tasks.get(req.taskId), req),
    },
  );
  setHandler(messageSignal, (message) => {
    interp.inbox.push(message);
  });
  const state = (): InstanceState => ({
    status: interp.status,
    definition: interp.input.definition,
    businessKey: interp.input.businessKey,
    startedBy: interp.input.actor.userId,
    tokens: interp.tokenViews(),
    variables: interp.variables,
    userTasks: [...interp.tasks.values()],
    audit: interp.audit,
    auditDropped: interp.auditDropped,
    ...(interp.errorCode !== undefined ? { errorCode: interp.errorCode } : {}),
    ...(interp.errorMessage !== undefined ? { errorMessage: interp.errorMessage } : {}),
  });
  setHandler(stateQuery, state);
  setHandler(statusQuery, () => interp.status);
  setHandler(tokensQuery, () => interp.tokenViews());
  setHandler(variablesQuery, () => interp.variables);
  setHandler(userTasksQuery, () => [...interp.tasks.values()]);
  setHandler(auditQuery, () => interp.audit);
}
