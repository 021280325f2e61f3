import type { PlanBoundary } from '@ameide/process-definition/plan';
import type { LiveToken, NodeContext, ScopeRun } from '../engine/token-engine.js';
import { firstFiring, nextFiring } from '../timers.js';
import { consumeMessage, correlationKey, waitCondition, type MessageWait } from './events.js';
import { waitSignal } from './signals.js';

/** Where a watched trigger keeps its progress (continue-as-new carries it over). */
export interface TriggerMemo {
  /** A timer's next deadline (epoch ms). */
  deadline?: number | undefined;
  /** How often it fired (timer cycles, conditions). */
  fired: number;
  /** A signal: the signals of its name received when it last armed. */
  seen?: number | undefined;
}

/** A trigger watched beside what runs: a boundary event's, or an event subprocess start's. */
export interface TriggerWatch {
  /** The event node: it takes the message, and a failing condition is its incident. */
  readonly nodeId: string;
  /** The scope run whose variables decide correlation keys and conditions. */
  readonly run: ScopeRun;
  /** Its visibility subscription (messages, signals), apart from the tokens' own. */
  readonly subscriber: string;
  /** Its progress record (asked for only by the triggers that keep one). */
  readonly memo: () => TriggerMemo;
}

/**
 * What waits for the next firing of a timer, message, signal or conditional trigger (undefined
 * for error and escalation triggers, which what they catch fires): it resolves when the trigger
 * fires, answering whether it can fire again. A message's correlation key is evaluated and a
 * signal is armed now; a message is only taken while `live()` holds. A condition is
 * edge-triggered: it fires when it holds (at once if it does now), then again only after it
 * turned false. The subscriber is added to `subscribers` for the caller to drop.
 */
export function triggerWaiter(
  ctx: NodeContext,
  trigger: PlanBoundary['trigger'],
  watch: TriggerWatch,
  subscribers: string[],
): ((live: () => boolean) => Promise<boolean>) | undefined {
  const { state, port } = ctx;
  const { nodeId, run, subscriber } = watch;
  switch (trigger.type) {
    case 'timer': {
      const timer = trigger.timer;
      const memo = watch.memo();
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
    case 'message': {
      const wait: MessageWait = { id: nodeId, message: trigger.message };
      // The run's variables decide the key; the event node takes the message.
      const listener: LiveToken = {
        id: subscriber,
        run,
        nodeId,
        via: undefined,
        memo: {},
        waitingFor: 'message',
        resumed: false,
      };
      subscribers.push(subscriber);
      const key = correlationKey(ctx, wait, listener);
      return async (live) => {
        state.subscribe(subscriber, wait.message.name, key);
        await port.condition(() => state.hasMessage(wait.message.name, key));
        if (!live()) return false;
        consumeMessage(ctx, wait, listener, key, subscriber);
        return true;
      };
    }
    case 'signal': {
      const memo = watch.memo();
      memo.seen ??= state.signalCount(trigger.signal);
      subscribers.push(subscriber);
      return async () => {
        await waitSignal(ctx, subscriber, trigger.signal, memo.seen ?? 0, run);
        memo.seen = state.signalCount(trigger.signal);
        return true;
      };
    }
    case 'conditional': {
      const memo = watch.memo();
      return async () => {
        if (memo.fired > 0) await waitCondition(ctx, nodeId, trigger.condition, run, false);
        await waitCondition(ctx, nodeId, trigger.condition, run);
        memo.fired += 1;
        return true;
      };
    }
    default:
      return undefined;
  }
}
