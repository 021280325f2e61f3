import type {
  FeelExpression,
  PlanMessage,
  PlanNode,
  PlanTimer,
  PlanTransition,
} from '@ameide/process-definition/plan';
import { BpmnError, ProcessIncident } from '../bpmn-errors.js';
import type { LiveToken, NodeContext, ScopeRun } from '../engine/token-engine.js';
import { evaluateFeel, mappingAt } from '../feel.js';
import { firstFiring } from '../timers.js';
import { compensate } from './compensation.js';
import { escalate } from './escalation.js';
import { throwSignal, waitSignal } from './signals.js';

type Node<T extends PlanNode['type']> = Extract<PlanNode, { type: T }>;
/** What waits for a message: a catch event, a receive task or a message boundary event. */
export interface MessageWait {
  readonly id: string;
  readonly message: PlanMessage;
}

/**
 * End event: `none` ends the token, `terminate` cancels every token of its scope run,
 * `compensate` undoes the scope run's compensable tasks first, `error` throws a BpmnError to
 * the enclosing activity's error boundary (or fails the instance), `escalation` escalates to the
 * enclosing levels.
 */
export async function endEvent(
  ctx: NodeContext,
  node: Node<'endEvent'>,
  token: LiveToken,
): Promise<undefined> {
  const run = token.run;
  switch (node.result.type) {
    case 'none':
      break;
    case 'terminate':
      run.terminated = true;
      run.cs.cancel();
      break;
    case 'compensate':
      await compensate(ctx, run.id);
      break;
    case 'error': {
      const code = node.result.errorCode ?? 'ERROR';
      ctx.state.log('failed', node.id, { detail: `error end ${code}` });
      throw new BpmnError(code, `error end event ${node.id} threw ${code}`);
    }
    case 'escalation': {
      // The token ends either way; an interrupting catcher also cancels what else runs.
      const { passed } = escalate(ctx, token, node.id, node.result.escalationCode);
      if (passed) await passed;
      break;
    }
    case 'signal':
      await throwSignal(ctx, node.id, node.result.signal);
      break;
  }
  run.lastEnd = node.id;
  ctx.state.log('completed', node.id);
  return undefined;
}

/** Waits for a timer; the deadline is kept in the token's memo (continue-as-new keeps it). */
export async function waitTimer(
  ctx: NodeContext,
  timer: PlanTimer,
  token: LiveToken,
): Promise<void> {
  const { port } = ctx;
  token.memo.deadline ??= firstFiring(timer, port.now());
  token.waitingFor = 'timer';
  await port.sleep(Math.max(1, token.memo.deadline - port.now()));
  token.waitingFor = undefined;
}

/**
 * Waits until FEEL `condition` over the variables `run` sees is `expected` (true by default),
 * re-evaluated after every change of the instance. A condition that fails to evaluate is an
 * incident of `nodeId` (the wait ends so the failure can be raised outside the condition).
 */
export async function waitCondition(
  ctx: NodeContext,
  nodeId: string,
  condition: FeelExpression,
  run: ScopeRun,
  expected = true,
): Promise<void> {
  let failure: string | undefined;
  // The predicate runs after every activation; a condition over the variables alone gives the
  // same answer until they change, so it is evaluated again only after a write (one that reads
  // the clock, `now()` or `today()`, each time).
  const memoized = !READS_CLOCK.test(condition.feel);
  let evaluatedAt = -1;
  let holds = false;
  await ctx.port.condition(() => {
    const writes = ctx.tokens.writes;
    if (memoized && writes === evaluatedAt) return holds;
    evaluatedAt = writes;
    try {
      holds = (evaluateFeel(condition, ctx.tokens.variablesOf(run)) === true) === expected;
    } catch (err) {
      failure = err instanceof Error ? err.message : 'evaluation failed';
      holds = true;
    }
    return holds;
  });
  if (failure !== undefined) throw new ProcessIncident(nodeId, failure);
}

/** FEEL's clock functions: a condition calling one can change without a variable changing. */
const READS_CLOCK = /\b(now|today)\s*\(/;

export function correlationKey(ctx: NodeContext, node: MessageWait, token: LiveToken): string {
  const key = evaluateFeel(node.message.correlationKey, ctx.tokens.variablesOf(token.run));
  if (key === null || key === undefined)
    throw new ProcessIncident(
      node.id,
      `correlation key '${node.message.correlationKey.feel}' is null`,
    );
  return typeof key === 'string' ? key : JSON.stringify(key);
}

/** Subscribes the token to the event's message and waits until one is in the inbox. */
export async function waitMessage(
  ctx: NodeContext,
  node: MessageWait,
  token: LiveToken,
): Promise<void> {
  const { state } = ctx;
  const key = correlationKey(ctx, node, token);
  state.subscribe(token.id, node.message.name, key);
  token.waitingFor = 'message';
  await ctx.port.condition(() => state.hasMessage(node.message.name, key));
  token.waitingFor = undefined;
}

/**
 * Takes the matching message from the inbox and maps its payload into the variables; drops the
 * subscriptions of `subscriber` (the token's own by default).
 */
export function consumeMessage(
  ctx: NodeContext,
  node: MessageWait,
  token: LiveToken,
  key = correlationKey(ctx, node, token),
  subscriber = token.id,
): void {
  const { state } = ctx;
  const message = state.takeMessage(node.message.name, key);
  state.unsubscribe(subscriber);
  const payload = message?.payload ?? {};
  ctx.tokens.write(
    token.run,
    node.message.output
      ? mappingAt(node.id, node.message.output, {
          ...ctx.tokens.variablesOf(token.run),
          message: payload,
        })
      : payload,
  );
  state.log('messageReceived', node.id, { detail: `${node.message.name}:${key}` });
}

/**
 * Event-based gateway: races the timer, message, signal and conditional events it leads to; the first to fire wins,
 * the others are cancelled, and the token continues after the winner.
 */
export async function eventBasedGateway(
  ctx: NodeContext,
  node: Node<'eventBasedGateway'>,
  token: LiveToken,
): Promise<readonly PlanTransition[]> {
  const { state, port } = ctx;
  const targets = node.outgoing.map((t) => state.plan.nodes[t.target]!);
  const race = port.scope();
  const deadlines = (token.memo.boundary ??= {});
  token.waitingFor = 'message';
  const winner = await race.run(() =>
    Promise.race(
      targets.map(async (target): Promise<PlanNode> => {
        if (target.type === 'intermediateTimerEvent') {
          deadlines[target.id] ??= firstFiring(target.timer, port.now());
          await port.sleep(Math.max(1, deadlines[target.id]! - port.now()));
          return target;
        }
        if (target.type === 'intermediateMessageEvent') {
          const key = correlationKey(ctx, target, token);
          state.subscribe(token.id, target.message.name, key);
          await port.condition(() => state.hasMessage(target.message.name, key));
          return target;
        }
        if (target.type === 'intermediateConditionalEvent') {
          await waitCondition(ctx, target.id, target.condition, token.run);
          return target;
        }
        if (target.type === 'intermediateSignalEvent') {
          // Armed when the race began (kept in the memo, so continue-as-new keeps it); visible
          // under a subscriber of its own beside the race's message subscription.
          const armed = (token.memo.signals ??= {});
          const seen = (armed[target.id] ??= state.signalCount(target.signal));
          await waitSignal(ctx, `${token.id}/${target.id}`, target.signal, seen, token.run);
          return target;
        }
        throw new ProcessIncident(
          node.id,
          `event-based gateway ${node.id} leads to ${target.type} ${target.id}`,
        );
      }),
    ),
  );
  race.cancel();
  token.waitingFor = undefined;
  state.unsubscribe(token.id);
  state.log('completed', node.id);
  state.log('entered', winner.id);
  if (winner.type === 'intermediateMessageEvent') consumeMessage(ctx, winner, token);
  state.log('completed', winner.id);
  return winner.outgoing;
}
