import type { PlanBoundary, PlanTransition } from '@ameide/process-definition/plan';
import { BpmnError, errorCodeMatches } from '../bpmn-errors.js';
import type { LiveToken, NodeContext } from '../engine/token-engine.js';
import { firstFiring, nextFiring } from '../timers.js';
import { consumeMessage, correlationKey, waitCondition } from './events.js';
import { waitSignal } from './signals.js';
import { taskBody, type ActivityNode } from './tasks.js';

/**
 * Runs an activity with its boundary events. Timer and message boundaries are watched beside
 * the body in a scope of their own: an interrupting one cancels the body and leaves through the
 * boundary event; a non-interrupting one spawns a token at the boundary event (again per cycle
 * firing, or per message) while the body goes on. A message boundary's correlation key is
 * evaluated when the activity starts, and the message's payload is mapped like a catch event's.
 * A BpmnError from the body leaves through the first error boundary whose code matches; anything
 * else propagates to the scope run.
 *
 * Deadlines and firings are kept in the token's memo, so a token carried over by
 * continue-as-new waits for the same instants.
 */
export async function runActivity(
  ctx: NodeContext,
  node: ActivityNode,
  token: LiveToken,
): Promise<readonly PlanTransition[]> {
  const { state, port } = ctx;
  if (node.boundaryEvents.length === 0) {
    await taskBody(ctx, node, token);
    state.log('completed', node.id);
    return node.outgoing;
  }
  const body = port.scope();
  const watchers = port.scope();
  const subscribers: string[] = [];
  let interruptedBy: PlanBoundary | undefined;
  const fire = (b: PlanBoundary): void => {
    if (interruptedBy) return;
    state.log('boundaryFired', b.id, { detail: `on ${node.id}` });
    if (b.interrupting) {
      interruptedBy = b;
      body.cancel();
      return;
    }
    ctx.tokens.spawn(token.run, b.id, undefined);
  };
  for (const b of node.boundaryEvents) {
    const fires = firing(ctx, b, token, subscribers);
    if (!fires) continue;
    void watchers
      .run(async () => {
        for (;;) {
          const more = await fires();
          fire(b);
          if (b.interrupting || !more) return;
        }
      })
      .catch((err: unknown) => {
        if (!port.isCancellation(err)) throw err;
      });
  }
  // Escalations thrown inside the body reach the escalation boundaries through the token.
  token.boundary = fire;
  try {
    await body.run(() => taskBody(ctx, node, token));
    // An interrupting escalation boundary caught what the body threw on its way out (its
    // thrower ends without waiting, so the body may end without seeing the cancellation).
    if (interruptedBy?.trigger.type === 'escalation') {
      state.log('interrupted', node.id, { detail: `by ${interruptedBy.id}` });
      return [{ edge: '', target: interruptedBy.id }];
    }
    state.log('completed', node.id);
    return node.outgoing;
  } catch (err) {
    if (interruptedBy && port.isCancellation(err)) {
      state.log('interrupted', node.id, { detail: `by ${interruptedBy.id}` });
      return [{ edge: '', target: interruptedBy.id }];
    }
    if (err instanceof BpmnError) {
      const catcher = node.boundaryEvents.find(
        (b) => b.trigger.type === 'error' && errorCodeMatches(b.trigger.errorCode, err.code),
      );
      if (catcher) {
        state.log('errorCaught', catcher.id, { detail: `${err.code} from ${node.id}` });
        return [{ edge: '', target: catcher.id }];
      }
    }
    throw err;
  } finally {
    token.boundary = undefined;
    watchers.cancel();
    for (const subscriber of subscribers) state.unsubscribe(subscriber);
  }
}

/**
 * What waits for the next firing of a timer or message boundary event (undefined for an error
 * boundary, which the body's failure fires): it resolves when the event fires, answering whether
 * it can fire again. A message boundary subscribes under an id of its own (added to
 * `subscribers`), since the body may wait for and take messages of its own.
 */
function firing(
  ctx: NodeContext,
  b: PlanBoundary,
  token: LiveToken,
  subscribers: string[],
): (() => Promise<boolean>) | undefined {
  const { state, port } = ctx;
  const trigger = b.trigger;
  if (trigger.type === 'timer') {
    const timer = trigger.timer;
    const deadlines = (token.memo.boundary ??= {});
    const fired = (token.memo.fired ??= {});
    return async () => {
      deadlines[b.id] ??= firstFiring(timer, port.now());
      await port.sleep(Math.max(1, deadlines[b.id]! - port.now()));
      fired[b.id] = (fired[b.id] ?? 0) + 1;
      if (timer.type !== 'cycle') return false;
      if (timer.repetitions !== null && fired[b.id]! >= timer.repetitions) return false;
      deadlines[b.id] = nextFiring(timer, deadlines[b.id]!);
      return true;
    };
  }
  if (trigger.type === 'message') {
    const wait = { id: b.id, message: trigger.message };
    const subscriber = `${token.id}:${b.id}`;
    subscribers.push(subscriber);
    const key = correlationKey(ctx, wait, token);
    return async () => {
      state.subscribe(subscriber, wait.message.name, key);
      await port.condition(() => state.hasMessage(wait.message.name, key));
      consumeMessage(ctx, wait, token, key, subscriber);
      return true;
    };
  }
  if (trigger.type === 'signal') {
    // Armed when the activity starts; a non-interrupting one re-arms after each signal.
    const signals = (token.memo.signals ??= {});
    signals[b.id] ??= state.signalCount(trigger.signal);
    const subscriber = `${token.id}:${b.id}`;
    subscribers.push(subscriber);
    return async () => {
      await waitSignal(ctx, subscriber, trigger.signal, signals[b.id]!);
      signals[b.id] = state.signalCount(trigger.signal);
      return true;
    };
  }
  if (trigger.type === 'conditional') {
    // Edge-triggered: fires when the condition holds (at once if it does when the activity
    // starts), then again only after it turned false. The firings count is in the memo.
    const fired = (token.memo.fired ??= {});
    return async () => {
      if ((fired[b.id] ?? 0) > 0)
        await waitCondition(ctx, b.id, trigger.condition, token.run, false);
      await waitCondition(ctx, b.id, trigger.condition, token.run);
      fired[b.id] = (fired[b.id] ?? 0) + 1;
      return true;
    };
  }
  return undefined;
}
