import type { PlanBoundary, PlanTransition } from '@ameide/process-definition/plan';
import { BpmnError, errorCodeMatches } from '../bpmn-errors.js';
import type { LiveToken, NodeContext } from '../engine/token-engine.js';
import type { TokenMemo } from '../types.js';
import { taskBody, type ActivityNode } from './tasks.js';
import { triggerWaiter, type TriggerMemo } from './triggers.js';

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
    // A message boundary subscribes under an id of its own, since the body may wait for and
    // take messages of its own.
    const fires = triggerWaiter(
      ctx,
      b.trigger,
      {
        nodeId: b.id,
        run: token.run,
        subscriber: `${token.id}:${b.id}`,
        memo: () => boundaryMemo(token.memo, b.id),
      },
      subscribers,
    );
    if (!fires) continue;
    void watchers
      .run(async () => {
        for (;;) {
          const more = await fires(() => true);
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
 * A boundary event's progress, kept in its activity token's memo in the layout carried-over
 * instances have (deadlines in `boundary`, firings in `fired`, signal counts in `signals`, each
 * by boundary id).
 */
function boundaryMemo(memo: TokenMemo, id: string): TriggerMemo {
  return {
    get deadline() {
      return memo.boundary?.[id];
    },
    set deadline(value) {
      if (value !== undefined) (memo.boundary ??= {})[id] = value;
    },
    get fired() {
      return memo.fired?.[id] ?? 0;
    },
    set fired(value) {
      (memo.fired ??= {})[id] = value;
    },
    get seen() {
      return memo.signals?.[id];
    },
    set seen(value) {
      if (value !== undefined) (memo.signals ??= {})[id] = value;
    },
  };
}
