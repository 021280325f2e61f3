import type { PlanBoundary, PlanTransition } from '@ameide/process-definition/plan';
import { BpmnError, errorCodeMatches } from '../bpmn-errors.js';
import type { LiveToken, NodeContext } from '../engine/token-engine.js';
import { firstFiring, nextFiring } from '../timers.js';
import { taskBody, type ActivityNode } from './tasks.js';

/**
 * Runs an activity with its boundary events. Timer boundaries run beside the body in a scope of
 * their own: an interrupting one cancels the body and leaves through the boundary event; a
 * non-interrupting one spawns a token at the boundary event (again per cycle firing) while the
 * body goes on. A BpmnError from the body leaves through the first error boundary whose code
 * matches; anything else propagates to the scope run.
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
  const timers = port.scope();
  let interruptedBy: PlanBoundary | undefined;
  for (const b of node.boundaryEvents) {
    if (b.trigger.type !== 'timer') continue;
    const timer = b.trigger.timer;
    const deadlines = (token.memo.boundary ??= {});
    const fired = (token.memo.fired ??= {});
    void timers
      .run(async () => {
        for (;;) {
          deadlines[b.id] ??= firstFiring(timer, port.now());
          await port.sleep(Math.max(1, deadlines[b.id]! - port.now()));
          fired[b.id] = (fired[b.id] ?? 0) + 1;
          state.log('boundaryFired', b.id, { detail: `on ${node.id}` });
          if (b.interrupting) {
            interruptedBy = b;
            body.cancel();
            return;
          }
          ctx.tokens.spawn(token.run, b.id, undefined);
          if (timer.type !== 'cycle') return;
          if (timer.repetitions !== null && fired[b.id]! >= timer.repetitions) return;
          deadlines[b.id] = nextFiring(timer, deadlines[b.id]!);
        }
      })
      .catch((err: unknown) => {
        if (!port.isCancellation(err)) throw err;
      });
  }
  try {
    await body.run(() => taskBody(ctx, node, token));
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
    timers.cancel();
  }
}
