import {
  evaluateDecision,
  isDecisionEvaluationError,
  type DecisionPlan,
} from '@ameide/decision/evaluate';
import type { PlanBoundary, PlanNode } from '@ameide/process-definition/plan';
import { ProcessIncident } from '../bpmn-errors.js';
import type { LiveToken, NodeContext } from '../engine/token-engine.js';
import { evaluateFeel, feelAt, mappingAt } from '../feel.js';
import { firstFiring } from '../timers.js';
import { consumeMessage, waitMessage } from './events.js';
import { multiInstance } from './multi-instance.js';
import type { ProcessInput, UserTaskView } from '../types.js';

type Node<T extends PlanNode['type']> = Extract<PlanNode, { type: T }>;
/** A node that does work and may carry boundary events. */
export type ActivityNode = Extract<PlanNode, { boundaryEvents: readonly PlanBoundary[] }>;

/**
 * Does an activity's work: a service call, a user task, an agent, a script, a child instance or
 * an embedded subProcess. Boundary events around it are `runActivity`'s business.
 */
export async function taskBody(
  ctx: NodeContext,
  node: ActivityNode,
  token: LiveToken,
): Promise<void> {
  const { state } = ctx;
  if (node.multiInstance && token.run.loopOf !== node.id)
    return multiInstance(ctx, node, node.multiInstance, token);
  switch (node.type) {
    case 'serviceTask':
    case 'sendTask':
      return serviceTask(ctx, node, token);
    case 'receiveTask':
      await waitMessage(ctx, node, token);
      consumeMessage(ctx, node, token);
      return;
    case 'userTask':
      return userTask(ctx, node, token);
    case 'agentTask':
      return agentTask(ctx, node, token);
    case 'scriptTask': {
      const value = feelAt(node.id, () =>
        evaluateFeel(node.script, ctx.tokens.variablesOf(token.run)),
      );
      if (node.resultVariable !== undefined)
        ctx.tokens.write(token.run, { [node.resultVariable]: value });
      else if (value !== null && typeof value === 'object' && !Array.isArray(value))
        ctx.tokens.write(token.run, value as Record<string, unknown>);
      return;
    }
    case 'callActivity':
      return callActivity(ctx, node, token);
    case 'businessRuleTask':
      return businessRuleTask(ctx, node, token);
    case 'subProcess': {
      const scope = state.plan.scopes[node.childScope];
      if (!scope?.start)
        throw new ProcessIncident(node.id, `subProcess ${node.id} has no start event`);
      token.waitingFor = 'child';
      const outcome = await ctx.tokens.runScope(
        `${token.run.id}/${node.id}#${state.nextSeq()}`,
        [{ id: `t${state.nextSeq()}`, nodeId: scope.start, memo: {} }],
        {},
        { parent: token.run, scope: node.childScope, host: token },
      );
      token.waitingFor = undefined;
      if (outcome.kind === 'terminated') state.log('completed', node.id, { detail: 'terminated' });
      // An interrupting event subprocess ended its level: its end is how the level ended.
      if (node.eventTrigger?.interrupting && outcome.endEvent !== undefined)
        token.run.lastEnd = outcome.endEvent;
      return;
    }
  }
}

/**
 * What a failed activity or child becomes: a cancellation stays one, a failure that carries a
 * BPMN error code becomes that BpmnError (logged on the node), anything else is rethrown as is.
 */
export function activityError(ctx: NodeContext, nodeId: string, err: unknown): unknown {
  if (ctx.port.isCancellation(err)) return err;
  const bpmn = ctx.port.bpmnError(err);
  if (bpmn) {
    ctx.state.log('failed', nodeId, { detail: `${bpmn.code}: ${bpmn.message}` });
    return bpmn;
  }
  return err;
}

async function serviceTask(
  ctx: NodeContext,
  node: Node<'serviceTask'> | Node<'sendTask'>,
  token: LiveToken,
): Promise<void> {
  const { state, input, tokens } = ctx;
  const call = node.call;
  const request = mappingAt(node.id, call.input, tokens.variablesOf(token.run));
  token.waitingFor = 'service';
  let response: Record<string, unknown>;
  try {
    response = await ctx.port.callService(
      {
        rpc: call.rpc,
        request,
        actor: input.actor,
        ...(input.traceparent ? { traceparent: input.traceparent } : {}),
        idempotencyKey: `${ctx.port.workflowId()}/${node.id}/${state.nextSeq()}`,
      },
      call,
    );
  } catch (err) {
    throw activityError(ctx, node.id, err);
  } finally {
    token.waitingFor = undefined;
  }
  if (call.output)
    tokens.write(
      token.run,
      mappingAt(node.id, call.output, { ...tokens.variablesOf(token.run), response }),
    );
  if (call.compensation) {
    state.addCompensation({
      nodeId: node.id,
      scope: token.run.id,
      rpc: call.compensation.rpc,
      request: mappingAt(node.id, call.compensation.input, tokens.variablesOf(token.run)),
    });
  }
}

async function userTask(ctx: NodeContext, node: Node<'userTask'>, token: LiveToken): Promise<void> {
  const { state, tokens } = ctx;
  let taskId = token.memo.taskId;
  if (taskId === undefined || !state.knowsTask(taskId)) {
    taskId = `${node.id}#${state.nextSeq()}`;
    const t = node.task;
    const assignee = t.assignee
      ? feelAt(node.id, () => evaluateFeel(t.assignee!, tokens.variablesOf(token.run)))
      : null;
    const groups = t.candidateGroups
      ? feelAt(node.id, () => evaluateFeel(t.candidateGroups!, tokens.variablesOf(token.run)))
      : null;
    const now = ctx.port.now();
    const task: UserTaskView = {
      taskId,
      nodeId: node.id,
      title: t.title,
      ...(typeof assignee === 'string' && assignee !== '' ? { assignee } : {}),
      candidateGroups: Array.isArray(groups)
        ? groups.filter((g): g is string => typeof g === 'string')
        : typeof groups === 'string'
          ? [groups]
          : [],
      ...(t.form ? { form: t.form } : {}),
      createdAt: new Date(now).toISOString(),
      ...(t.due ? { dueAt: new Date(firstFiring(t.due, now)).toISOString() } : {}),
    };
    token.memo.taskId = taskId;
    state.createTask(task);
  }
  const id = taskId;
  token.waitingFor = 'userTask';
  try {
    await ctx.port.condition(() => state.isCompleted(id));
  } finally {
    token.waitingFor = undefined;
    state.cancelTask(id, node.id);
  }
  const done = state.takeCompletion(id);
  tokens.write(
    token.run,
    node.task.output
      ? mappingAt(node.id, node.task.output, {
          ...tokens.variablesOf(token.run),
          submission: done.data,
        })
      : done.data,
  );
}

async function agentTask(
  ctx: NodeContext,
  node: Node<'agentTask'>,
  token: LiveToken,
): Promise<void> {
  const { input, tokens } = ctx;
  const a = node.agent;
  const request = mappingAt(node.id, a.input, tokens.variablesOf(token.run));
  token.waitingFor = 'agent';
  let result: unknown;
  try {
    result = await ctx.port.invokeAgent({
      agent: a.agent,
      version: a.version,
      ...(a.instructions !== undefined ? { instructions: a.instructions } : {}),
      riskTier: a.riskTier,
      input: request,
      actor: input.actor,
      instanceId: ctx.port.workflowId(),
      nodeId: node.id,
    });
  } catch (err) {
    throw activityError(ctx, node.id, err);
  } finally {
    token.waitingFor = undefined;
  }
  if (a.output)
    tokens.write(
      token.run,
      mappingAt(node.id, a.output, { ...tokens.variablesOf(token.run), result }),
    );
}

/**
 * Evaluates a DMN decision inside the workflow: the `loadDecision` activity pins the published
 * version (its plan hash) and hands over the DecisionPlan, which history records; the evaluation
 * itself is pure FEEL over recorded state, so a replay gives the same result. The result goes to
 * the task's result variable. A decision that gives no result (a UNIQUE table with several
 * matching rules, an expression that fails) is an incident of the task, naming the rules.
 */
async function businessRuleTask(
  ctx: NodeContext,
  node: Node<'businessRuleTask'>,
  token: LiveToken,
): Promise<void> {
  const { state, input, port, tokens } = ctx;
  const d = node.decision;
  const variables = tokens.variablesOf(token.run);
  const context = d.input ? mappingAt(node.id, d.input, variables) : { ...variables };
  token.waitingFor = 'service';
  let loaded;
  try {
    loaded = await port.loadDecision(input.actor.tenantId, d.decision, d.version);
  } catch (err) {
    throw activityError(ctx, node.id, err);
  } finally {
    token.waitingFor = undefined;
  }
  let plan: DecisionPlan;
  try {
    plan = JSON.parse(loaded.planJson) as DecisionPlan;
  } catch (err) {
    throw new ProcessIncident(
      node.id,
      `decision ${d.decision} v${loaded.ref.version} is not a DecisionPlan: ${(err as Error).message}`,
    );
  }
  let result;
  try {
    result = evaluateDecision(
      plan,
      context,
      d.decisionId !== undefined ? { decision: d.decisionId } : {},
    );
  } catch (err) {
    if (isDecisionEvaluationError(err))
      throw new ProcessIncident(node.id, `${d.decision} v${loaded.ref.version}: ${err.message}`);
    throw err;
  }
  tokens.write(token.run, { [d.resultVariable]: result.value });
  const rules = Object.entries(result.matchedRules)
    .map(([id, matched]) => `${id}: ${matched.join(', ') || 'none'}`)
    .join('; ');
  state.log('decisionEvaluated', node.id, {
    detail: `decision ${loaded.ref.name} v${loaded.ref.version} (${loaded.ref.planHash.slice(0, 12)}) matched ${rules}`,
  });
}

async function callActivity(
  ctx: NodeContext,
  node: Node<'callActivity'>,
  token: LiveToken,
): Promise<void> {
  const { state, input, port, tokens } = ctx;
  const c = node.call;
  const variables = mappingAt(node.id, c.input, tokens.variablesOf(token.run));
  token.waitingFor = 'child';
  try {
    const ref = await port.resolveDefinition(input.actor.tenantId, c.definition, c.version);
    const child: ProcessInput = {
      actor: input.actor,
      definition: ref,
      variables,
      businessKey: input.businessKey,
      ...(input.traceparent ? { traceparent: input.traceparent } : {}),
      ...(input.options ? { options: input.options } : {}),
    };
    const childId = `${port.workflowId()}:${node.id}:${state.nextSeq()}`;
    // Escalations the child passes up find the token by it.
    token.child = childId;
    const result = await port.executeChild(childId, child);
    if (c.output)
      tokens.write(
        token.run,
        mappingAt(node.id, c.output, { ...result.variables, result: result.variables }),
      );
  } catch (err) {
    throw activityError(ctx, node.id, err);
  } finally {
    token.waitingFor = undefined;
    token.child = undefined;
  }
}
