import type { NodeContext } from '../engine/token-engine.js';
import { activityError } from './tasks.js';

/**
 * Compensates the completed compensable service tasks of scope run `scope` and the runs nested
 * in it, newest first: each one's compensation call (with the request mapped when the task
 * completed, and the task's own timeout and retry policy), one after the other. An entry is
 * dropped once undone, so compensating again never undoes a task twice. A failed compensation
 * call stops the walk with its error.
 */
export async function compensate(ctx: NodeContext, scope: string): Promise<void> {
  const { state, input, port } = ctx;
  const mine = state.compensationsOf(scope);
  for (const entry of [...mine].reverse()) {
    const node = state.plan.nodes[entry.nodeId];
    if (node?.type !== 'serviceTask' && node?.type !== 'sendTask') continue;
    state.log('compensating', entry.nodeId, { detail: entry.rpc });
    try {
      await port.callService(
        {
          rpc: entry.rpc,
          request: entry.request,
          actor: input.actor,
          ...(input.traceparent ? { traceparent: input.traceparent } : {}),
          idempotencyKey: `${port.workflowId()}/compensate/${entry.nodeId}/${state.nextSeq()}`,
        },
        node.call,
      );
    } catch (err) {
      throw activityError(ctx, entry.nodeId, err);
    }
    state.removeCompensation(entry);
    state.log('compensated', entry.nodeId);
  }
}
