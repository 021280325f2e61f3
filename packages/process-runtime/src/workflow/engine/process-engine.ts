import type { PlanNode, PlanTransition } from '@ameide/process-definition/plan';
import { compensate } from '../handlers/compensation.js';
import {
  consumeMessage,
  endEvent,
  eventBasedGateway,
  waitCondition,
  waitMessage,
  waitTimer,
} from '../handlers/events.js';
import { exclusiveGateway, inclusiveGateway, parallelGateway } from '../handlers/gateways.js';
import { runActivity } from '../handlers/boundary-events.js';
import { escalate, escalateFromChild } from '../handlers/escalation.js';
import { catchSignal, throwSignal } from '../handlers/signals.js';
import { startPayload } from '../handlers/start-events.js';
import { watchEventSubProcesses } from '../handlers/event-subprocesses.js';
import { taskBody } from '../handlers/tasks.js';
import type {
  ChildEscalation,
  InstanceState as InstanceStateView,
  MessageDelivery,
  ProcessInput,
  ResumeState,
  TokenView,
  UserTaskView,
} from '../types.js';
import { InstanceState } from './instance-state.js';
import {
  TokenEngine,
  type LiveToken,
  type NodeContext,
  type ScopeOutcome,
} from './token-engine.js';
import type { WorkflowPort } from './workflow-port.js';

/** Runs one node: the handler of its concept (events, gateways, activities). */
async function executeNode(
  ctx: NodeContext,
  node: PlanNode,
  token: LiveToken,
): Promise<readonly PlanTransition[] | undefined> {
  switch (node.type) {
    case 'startEvent':
      startPayload(ctx, node, token);
      return node.outgoing;
    case 'boundaryEvent':
      return node.outgoing;
    case 'endEvent':
      return endEvent(ctx, node, token);
    case 'exclusiveGateway':
      ctx.state.log('completed', node.id);
      return exclusiveGateway(ctx, node, token);
    case 'parallelGateway':
      return parallelGateway(ctx, node, token);
    case 'inclusiveGateway':
      return inclusiveGateway(ctx, node, token);
    case 'eventBasedGateway':
      return eventBasedGateway(ctx, node, token);
    case 'intermediateTimerEvent': {
      await waitTimer(ctx, node.timer, token);
      ctx.state.log('completed', node.id);
      return node.outgoing;
    }
    case 'intermediateConditionalEvent': {
      token.waitingFor = 'condition';
      await waitCondition(ctx, node.id, node.condition, token.run);
      token.waitingFor = undefined;
      ctx.state.log('completed', node.id);
      return node.outgoing;
    }
    case 'intermediateLinkEvent':
      return node.outgoing;
    case 'intermediateSignalEvent':
      await catchSignal(ctx, token, node.signal);
      ctx.state.log('completed', node.id);
      return node.outgoing;
    case 'intermediateThrowEvent': {
      // A link goes on at its catch event (the plan's only outgoing transition).
      if (node.throws.type === 'link') {
        ctx.state.log('completed', node.id);
        return node.outgoing;
      }
      if (node.throws.type === 'signal') {
        await throwSignal(ctx, node.id, node.throws.signal);
        ctx.state.log('completed', node.id);
        return node.outgoing;
      }
      const { interrupting, passed } = escalate(ctx, token, node.id, node.throws.escalationCode);
      if (passed) await passed;
      ctx.state.log('completed', node.id);
      // An interrupting catcher cancelled the token's level: it goes no further.
      return interrupting ? undefined : node.outgoing;
    }
    case 'intermediateMessageEvent': {
      await waitMessage(ctx, node, token);
      consumeMessage(ctx, node, token);
      ctx.state.log('completed', node.id);
      return node.outgoing;
    }
    default:
      // One instance of a multi-instance activity: the body alone (boundary events belong to
      // the activity as a whole).
      if (token.run.loopOf === node.id) {
        await taskBody(ctx, node, token);
        ctx.state.log('completed', node.id, { detail: `instance ${token.run.id}` });
        return undefined;
      }
      return runActivity(ctx, node, token);
  }
}

/**
 * One process instance: its {@link InstanceState} and {@link TokenEngine}, with the node
 * handlers wired in, behind the operations the workflow (or a unit test) drives it with.
 * Knows nothing of Temporal: everything that touches the outside goes through the port.
 */
export class ProcessEngine {
  readonly state: InstanceState;
  readonly tokens: TokenEngine;
  readonly #ctx: NodeContext;

  constructor(
    readonly input: ProcessInput,
    readonly port: WorkflowPort,
  ) {
    const state = new InstanceState(input, port);
    const tokens = new TokenEngine(
      state,
      port,
      input,
      (node, token) => executeNode(ctx, node, token),
      (run, scope) => watchEventSubProcesses(ctx, run, scope),
    );
    const ctx: NodeContext = { state, tokens, port, input, reach: new Map() };
    this.state = state;
    this.tokens = tokens;
    this.#ctx = ctx;
  }

  /** Takes the plan (loaded, or carried over) and records the start or the new run. */
  begin(planJson: string): void {
    const { state, input } = this;
    state.usePlan(planJson);
    if (!input.resume)
      state.log('started', undefined, {
        by: input.actor.userId,
        detail: `${input.definition.name} v${input.definition.version}`,
      });
    else state.log('continuedAsNew', undefined, { detail: `run ${state.runs}` });
    state.publishTaskCandidates();
  }

  /** Runs the process scope to its end (rethrows a BpmnError, incident or cancellation). */
  run(): Promise<ScopeOutcome> {
    return this.tokens.runProcess();
  }

  /** Undoes the completed compensable tasks of scope run `scope`, newest first. */
  compensate(scope: string): Promise<void> {
    return compensate(this.#ctx, scope);
  }

  /**
   * Whether the instance is at a point where its whole state is data: every token waits for a
   * user task, a timer or a message in the process scope, and no completion is in flight.
   */
  quiescent(): boolean {
    return !this.state.hasPendingCompletions() && this.tokens.atRest();
  }

  // ---------------------------------------------------------------- what signals and updates do

  /** The open task `taskId`, as the completion validator checks it. */
  openTask(taskId: string): UserTaskView | undefined {
    return this.state.openTask(taskId);
  }

  completeTask(taskId: string, by: string, data: Record<string, unknown>): UserTaskView {
    return this.state.completeTask(taskId, by, data);
  }

  deliver(message: MessageDelivery): void {
    this.state.deliver(message);
  }

  /**
   * An escalation a called instance did not catch: its call activity's escalation boundary
   * takes it, else the levels around it, else this instance's own caller.
   */
  childEscalated(escalation: ChildEscalation): void {
    const token = this.tokens.tokenWithChild(escalation.childWorkflowId);
    if (!token) {
      // The call activity ended (or was interrupted) before the signal arrived.
      this.state.log('escalated', undefined, {
        detail: `${escalation.code} from ${escalation.childWorkflowId} not caught: its call activity no longer runs`,
      });
      return;
    }
    escalateFromChild(this.#ctx, token, escalation);
  }

  // ---------------------------------------------------------------- views and continue-as-new

  tokenViews(): TokenView[] {
    return this.tokens.tokenViews();
  }

  view(): InstanceStateView {
    return this.state.view(this.tokens.tokenViews());
  }

  snapshot(auditKeep: number): ResumeState {
    return this.state.snapshot(this.tokens.resumeTokens(), this.tokens.joinsOfRoot(), auditKeep);
  }
}
