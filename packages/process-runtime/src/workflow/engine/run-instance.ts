import { BPMN_ERROR_TYPE, INCIDENT_TYPE } from '../activity-types.js';
import { BpmnError, ProcessIncident } from '../bpmn-errors.js';
import type { ProcessResult, ResumeState } from '../types.js';
import type { ProcessEngine } from './process-engine.js';

/** Audit entries continue-as-new carries over unless the instance options say otherwise. */
export const DEFAULT_AUDIT_KEEP = 1000;

/** How a run of an instance ends (a cancellation is rethrown instead, after compensating). */
export type InstanceEnd =
  | { readonly type: 'completed'; readonly result: ProcessResult }
  /** The run stopped at a wait state; the next run resumes from `resume`. */
  | { readonly type: 'continueAsNew'; readonly resume: ResumeState }
  | {
      readonly type: 'failed';
      /** `BpmnError` (details: [code]) or `ProcessIncident`. */
      readonly failureType: typeof BPMN_ERROR_TYPE | typeof INCIDENT_TYPE;
      readonly message: string;
      readonly details?: readonly unknown[];
    };

/**
 * Runs one run of an instance: loads the plan (unless carried over), runs the process scope, and
 * rolls over at a wait state when the port suggests continue-as-new. On an uncaught BPMN error it
 * compensates the process scope and fails; on an incident (a modelling or data problem) it fails
 * at once; on cancellation it compensates shielded from the cancellation, then rethrows it.
 * Status and audit are kept up to date on the way.
 */
export async function runInstance(engine: ProcessEngine): Promise<InstanceEnd> {
  const { input, port, state } = engine;
  const planJson =
    input.resume?.planJson ?? (await port.loadPlan(input.definition, input.actor.tenantId));
  engine.begin(planJson);

  const main = engine.run().then((outcome) => ({ outcome }));
  const rollover = () =>
    port
      .condition(() => port.continueAsNewSuggested() && engine.quiescent())
      .then(() => 'continue' as const);
  let finished: Awaited<typeof main>;
  try {
    let first = await Promise.race([main, rollover()]);
    // An update may land while handlers finish: only roll over from a state that is still quiescent.
    while (first === 'continue') {
      await port.condition(() => port.handlersFinished());
      if (engine.quiescent()) break;
      first = await Promise.race([main, rollover()]);
    }
    if (first === 'continue') {
      return {
        type: 'continueAsNew',
        resume: engine.snapshot(input.options?.auditKeep ?? DEFAULT_AUDIT_KEEP),
      };
    }
    finished = first;
  } catch (err) {
    if (port.isCancellation(err)) {
      state.log('cancelled');
      await port.nonCancellable(() => engine.compensate('root'));
      state.setStatus('CANCELLED');
      throw err;
    }
    if (err instanceof BpmnError) {
      state.setError(err.code, err.message);
      await engine.compensate('root');
      state.setStatus('FAILED');
      state.log('finished', undefined, { detail: `failed: ${err.code}` });
      return {
        type: 'failed',
        failureType: BPMN_ERROR_TYPE,
        message: err.message,
        details: [err.code],
      };
    }
    if (
      err instanceof ProcessIncident ||
      (err instanceof Error && err.name === 'FeelEvaluationError')
    ) {
      state.setError(INCIDENT_TYPE, err.message);
      state.setStatus('FAILED');
      state.log('failed', err instanceof ProcessIncident ? err.nodeId : undefined, {
        detail: err.message,
      });
      return { type: 'failed', failureType: INCIDENT_TYPE, message: err.message };
    }
    throw err;
  }
  state.setStatus('COMPLETED');
  state.log('finished', finished.outcome.endEvent, { detail: finished.outcome.kind });
  await port.condition(() => port.handlersFinished());
  return {
    type: 'completed',
    result: {
      status: 'COMPLETED',
      variables: state.variables,
      ...(finished.outcome.endEvent ? { endEvent: finished.outcome.endEvent } : {}),
      terminated: finished.outcome.kind === 'terminated',
    },
  };
}
