import type { ExecutionPlan, PlanNode, PlanTransition } from '@ameide/process-definition/plan';
import { ProcessIncident } from '../bpmn-errors.js';
import type { LiveToken, NodeContext } from '../engine/token-engine.js';
import { conditionAt } from '../feel.js';

type Node<T extends PlanNode['type']> = Extract<PlanNode, { type: T }>;

const noFlow = (id: string): ProcessIncident =>
  new ProcessIncident(
    id,
    `no outgoing flow of gateway ${id} has a true condition and there is no default flow`,
  );

/** Exclusive gateway: the first flow whose condition is true, else the default flow. */
export function exclusiveGateway(
  ctx: NodeContext,
  node: Node<'exclusiveGateway'>,
  token: LiveToken,
): readonly PlanTransition[] {
  if (node.outgoing.length <= 1) return node.outgoing;
  const variables = ctx.tokens.variablesOf(token.run);
  for (const t of node.outgoing) {
    if (t.isDefault) continue;
    if (!t.condition || conditionAt(node.id, t, variables)) return [t];
  }
  const fallback = node.outgoing.find((t) => t.isDefault);
  if (fallback) return [fallback];
  throw noFlow(node.id);
}

/**
 * Parallel gateway: as a join it consumes arriving tokens until one has arrived on every
 * incoming flow, then fires once (extra arrivals on one flow wait for the next round); as a
 * split it answers every outgoing flow.
 */
export function parallelGateway(
  ctx: NodeContext,
  node: Node<'parallelGateway'>,
  token: LiveToken,
): readonly PlanTransition[] | undefined {
  if (node.incoming.length > 1) {
    const arrivals = ctx.tokens.arrive(token.run, node.id, token.via);
    if (!node.incoming.every((e) => (arrivals.get(e) ?? 0) > 0)) return undefined;
    for (const e of node.incoming) {
      const left = (arrivals.get(e) ?? 0) - 1;
      if (left > 0) arrivals.set(e, left);
      else arrivals.delete(e);
    }
    if (arrivals.size === 0) token.run.joins.delete(node.id);
  }
  ctx.state.log('completed', node.id);
  return node.outgoing;
}

/**
 * Inclusive gateway: as a join, the first token to arrive waits until no other token of its
 * scope run can still reach the gateway (the others are consumed on arrival), then it fires
 * once; as a split it takes every flow whose condition is true, else the default flow.
 */
export async function inclusiveGateway(
  ctx: NodeContext,
  node: Node<'inclusiveGateway'>,
  token: LiveToken,
): Promise<readonly PlanTransition[] | undefined> {
  if (node.incoming.length > 1) {
    const run = token.run;
    ctx.tokens.arrive(run, node.id, token.via);
    if (run.waiters.has(node.id)) return undefined;
    run.waiters.add(node.id);
    token.waitingFor = 'join';
    const from = reachers(ctx, node.id);
    try {
      await ctx.port.condition(() => !ctx.tokens.anyTokenAt(run, from, token.id));
    } finally {
      run.waiters.delete(node.id);
      token.waitingFor = undefined;
    }
    run.joins.delete(node.id);
  }
  ctx.state.log('completed', node.id);
  if (node.outgoing.length <= 1) return node.outgoing;
  const variables = ctx.tokens.variablesOf(token.run);
  const taken = node.outgoing.filter((t) => !t.isDefault && conditionAt(node.id, t, variables));
  if (taken.length > 0) return taken;
  const fallback = node.outgoing.find((t) => t.isDefault);
  if (fallback) return [fallback];
  throw noFlow(node.id);
}

/** Nodes from which `target` is reachable (not passing through it), cached per instance. */
function reachers(ctx: NodeContext, target: string): Set<string> {
  const cached = ctx.reach.get(target);
  if (cached) return cached;
  const seen = reachersIn(ctx.state.plan, target);
  ctx.reach.set(target, seen);
  return seen;
}

/** Nodes of `plan` from which `target` is reachable over flows and boundary attachments. */
function reachersIn(plan: ExecutionPlan, target: string): Set<string> {
  const preds = new Map<string, string[]>();
  for (const n of Object.values(plan.nodes)) {
    for (const t of n.outgoing) preds.set(t.target, [...(preds.get(t.target) ?? []), n.id]);
    if (n.type === 'boundaryEvent') preds.set(n.id, [...(preds.get(n.id) ?? []), n.attachedTo]);
  }
  const seen = new Set<string>();
  const stack = [...(preds.get(target) ?? [])];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (id === target || seen.has(id)) continue;
    seen.add(id);
    stack.push(...(preds.get(id) ?? []));
  }
  return seen;
}
