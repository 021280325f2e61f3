import type { PlanEventTrigger, PlanNode } from '@ameide/process-definition/plan';
import { errorCodeMatches, type BpmnError } from '../bpmn-errors.js';
import type { LiveToken, NodeContext, ScopeEvents, ScopeRun } from '../engine/token-engine.js';
import { firstFiring, nextFiring } from '../timers.js';
import { consumeMessage, correlationKey, waitCondition, type MessageWait } from './events.js';
import { waitSignal } from './signals.js';

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
    const waits = firing(ctx, run, esp, subscribers);
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
      if (stopped) return false;
      const catcher = esps.find(
        (e) =>
          e.eventTrigger.trigger.type === 'error' &&
          errorCodeMatches(e.eventTrigger.trigger.errorCode, err.code),
      );
      if (!catcher || stopped || run.interrupted) return false;
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

/**
 * What waits for the next trigger of a timer or message event subprocess (undefined for an error
 * start): it resolves when the trigger fires, answering whether it can fire again. A message is
 * only taken while `live()` holds.
 */
function firing(
  ctx: NodeContext,
  run: ScopeRun,
  esp: EventSubProcess,
  subscribers: string[],
): ((live: () => boolean) => Promise<boolean>) | undefined {
  const { state, port } = ctx;
  const trigger = esp.eventTrigger.trigger;
  const key = `${run.id}:${esp.id}`;
  if (trigger.type === 'timer') {
    const timer = trigger.timer;
    const memo = state.eventTimer(key);
    return async () => {
      memo.deadline ??= firstFiring(timer, port.now());
      await port.sleep(Math.max(1, memo.deadline - port.now()));
      memo.fired += 1;
      if (timer.type !== 'cycle') return false;
      if (timer.repetitions !== null && memo.fired >= timer.repetitions) return false;
      memo.deadline = nextFiring(timer, memo.deadline);
      return true;
    };
  }
  if (trigger.type === 'message') {
    const wait: MessageWait = { id: esp.eventTrigger.startEvent, message: trigger.message };
    // The run's variables decide the key; the start event takes the message.
    const listener: LiveToken = {
      id: key,
      run,
      nodeId: esp.eventTrigger.startEvent,
      via: undefined,
      memo: {},
      waitingFor: 'message',
      resumed: false,
    };
    subscribers.push(key);
    const correlation = correlationKey(ctx, wait, listener);
    return async (live) => {
      state.subscribe(key, wait.message.name, correlation);
      await port.condition(() => state.hasMessage(wait.message.name, correlation));
      if (!live()) return false;
      consumeMessage(ctx, wait, listener, correlation, key);
      return true;
    };
  }
  if (trigger.type === 'signal') {
    // Armed when the run starts; a non-interrupting one re-arms after each signal.
    const memo = state.eventTimer(key);
    memo.seen ??= state.signalCount(trigger.signal);
    subscribers.push(key);
    return async () => {
      await waitSignal(ctx, key, trigger.signal, memo.seen!);
      memo.seen = state.signalCount(trigger.signal);
      return true;
    };
  }
  if (trigger.type === 'conditional') {
    // Edge-triggered, like a conditional boundary event; the firings count is in the state.
    const memo = state.eventTimer(key);
    const startEvent = esp.eventTrigger.startEvent;
    return async () => {
      if (memo.fired > 0) await waitCondition(ctx, startEvent, trigger.condition, run, false);
      await waitCondition(ctx, startEvent, trigger.condition, run);
      memo.fired += 1;
      return true;
    };
  }
  return undefined;
}
