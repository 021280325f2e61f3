import type { PlanNode } from '@ameide/process-definition/plan';
import { mappingAt } from '../feel.js';
import type { LiveToken, NodeContext } from '../engine/token-engine.js';

type StartEvent = Extract<PlanNode, { type: 'startEvent' }>;

/**
 * The start event that started the instance maps what its trigger carried into the variables:
 * a message start as a message catch event does (its `output` over the variables and `message`,
 * else the payload itself), a signal start takes the signal's payload as it is.
 */
export function startPayload(ctx: NodeContext, node: StartEvent, token: LiveToken): void {
  const start = ctx.input.start;
  if (start?.node !== node.id || start.payload === undefined || ctx.input.resume) return;
  const { trigger } = node;
  if (trigger.type === 'message') {
    ctx.tokens.write(
      token.run,
      trigger.message.output
        ? mappingAt(node.id, trigger.message.output, {
            ...ctx.tokens.variablesOf(token.run),
            message: start.payload,
          })
        : start.payload,
    );
    ctx.state.log('messageReceived', node.id, { detail: trigger.message.name });
  } else if (trigger.type === 'signal') {
    ctx.tokens.write(token.run, start.payload);
  }
}
