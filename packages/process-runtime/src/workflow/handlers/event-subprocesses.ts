import type { PlanEventTrigger, PlanNode } from '@ameide/process-definition/plan';
import { errorCodeMatches, type BpmnError } from '../bpmn-errors.js';
import type { NodeContext, ScopeEvents, ScopeRun } from '../engine/token-engine.js';
import { triggerWaiter } from './triggers.js';

type EventSubProcess = Extract<PlanNode, { type: 'subProcess' }> & {
  readonly eventTrigger: PlanEventTrigger;
};

/**
 * Watches the event subprocesses of a scope run (the process, or one execution of a subProcess)
 * while it runs. Timer and message starts are waited for beside the run's tokens, in a scope of
 * their own: an interrupting one cancels every other token of the run and runs the event
 * subprocess in its place (the run then ends when it does, and nothing else is watched); a
 * non-interrupting one starts the event subprocess next to what runs (per message, or per cycle
 * firing). An error start takes a BpmnError no boundary event caught inside the run, and
 * interrupts it; an escalation start takes an escalation thrown inside the run (see
 * `escalate`), interrupting or not. A message start's correlation key is evaluated when the run starts.
 *
 * Timer deadlines and firings are kept in the instance state under the run's path, so a run
 * carried over by continue-as-new waits for the same instants.
 */
export function watchEventSubProcesses(
  ctx: NodeContext,
  run: ScopeRun,
  scope: string,
): ScopeEvents {
  const { state, port, tokens } = ctx;
  const esps = (state.plan.scopes[scope]?.eventSubProcesses ?? [])
    .map((id) => state.plan.nodes[id])
    .filter((n): n is EventSubProcess => n?.type === 'subProcess' && n.eventTrigger !== undefined);
  const watchers = port.scope();
  const subscribers: string[] = [];
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    watchers.cancel();
    for (const subscriber of subscribers) state.unsubscribe(subscriber);
  };
  /** Starts `esp` for its trigger; answers whether it started. */
  const fire = (esp: EventSubProcess): boolean => {
    if (stopped || run.interrupted || run.terminated) return false;
    const { interrupting, trigger, startEvent } = esp.eventTrigger;
    state.log('eventTriggered', esp.id, {
      detail: `${interrupting ? 'interrupting' : 'non-interrupting'} ${trigger.type} start ${startEvent} in ${run.id}`,
    });
    if (!interrupting) {
      tokens.spawn(run, esp.id, undefined);
      return true;
    }
    stop();
    return tokens.interrupt(run, esp.id);
  };
  for (const esp of esps) {
    const key = `${run.id}:${esp.id}`;
    const waits = triggerWaiter(
      ctx,
      esp.eventTrigger.trigger,
      {
        nodeId: esp.eventTrigger.startEvent,
        run,
        subscriber: key,
        memo: () => state.eventTimer(key),
      },
      subscribers,
    );
    if (!waits) continue;
    void watchers
      .run(async () => {
        for (;;) {
          const more = await waits(() => !stopped);
          if (!fire(esp) || !more || stopped) return;
        }
      })
      .catch((err: unknown) => {
        if (!port.isCancellation(err)) throw err;
      });
  }
  return {
    catchError(err: BpmnError): boolean {
      if (stopped || run.interrupted) return false;
      const catcher = esps.find(
        (e) =>
          e.eventTrigger.trigger.type === 'error' &&
          errorCodeMatches(e.eventTrigger.trigger.errorCode, err.code),
      );
      if (!catcher) return false;
      state.log('errorCaught', catcher.eventTrigger.startEvent, {
        detail: `${err.code} in ${run.id}`,
      });
      return fire(catcher);
    },
    catchEscalation(code: string) {
      if (stopped || run.interrupted) return undefined;
      const catcher = esps.find(
        (e) =>
          e.eventTrigger.trigger.type === 'escalation' &&
          errorCodeMatches(e.eventTrigger.trigger.escalationCode, code),
      );
      if (!catcher || !fire(catcher)) return undefined;
      return catcher.eventTrigger.interrupting ? 'interrupting' : 'non-interrupting';
    },
    stop,
  };
}
