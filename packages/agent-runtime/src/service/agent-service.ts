import type { ConnectRouter, HandlerContext } from '@connectrpc/connect';
import { getRequestContext, type RequestContext } from '@ameide/context';
import { AmeideError, ErrorCode } from '@ameide/errors';
import { AgentService, type RunAgentResponse } from '@ameide/proto';
import type { ServiceRegistration } from '@ameide/server';
import type { AgentRuntimeConfig } from '@ameide/agent-definition';
import type { AgentStore, ProposalView } from '../proposals/agent-store.js';
import type { AgentRuntime } from '../run/agent-runtime.js';
import type { AgentRunEvent } from '../run/run-types.js';
import type { ProposalSink } from '../tools/tool-executor.js';
import type { ToolHost } from '../tools/tool-host.js';
import {
  proposalStatusFromProto,
  proposalToProto,
  runToProto,
  toolCallToProto,
} from './agent-mapping.js';

/** A published agent version, as the runtime needs it. */
export interface ResolvedAgent {
  readonly config: AgentRuntimeConfig;
  readonly version: number;
  readonly hash: string;
}

/** Finds a tenant's published AgentDefinition version (the Transformation Domain's artifacts). */
export type AgentResolver = (
  caller: RequestContext,
  agent: string,
  version: number | 'latest',
) => Promise<ResolvedAgent>;

/** The review process of proposals (`agent-proposal-review` on the process service). */
export interface ProposalReview {
  /** Starts the review of a new proposal as the caller; answers the instance id. */
  start(caller: RequestContext, proposal: ProposalView): Promise<string>;
  /**
   * Completes the review's user task as the deciding person: with their own bearer token
   * (`authorization`), so the process runtime sees their groups as the host verified them.
   */
  decide(
    caller: RequestContext,
    proposal: ProposalView,
    approve: boolean,
    comment: string,
    authorization: string | undefined,
  ): Promise<void>;
}

export interface AgentServiceOptions {
  readonly store: AgentStore;
  readonly runtime: AgentRuntime;
  readonly resolve: AgentResolver;
  /** Calls proposed methods when a proposal is applied (as the caller of ApplyProposal). */
  readonly host: ToolHost;
  /** Without one, proposals wait for DecideProposal and ApplyProposal. */
  readonly review?: ProposalReview;
}

/** The ProposalSink runs write to: store the proposal, then start its review. */
export function storeProposalSink(
  store: AgentStore,
  review: ProposalReview | undefined,
): ProposalSink {
  return {
    async create(caller, p) {
      const stored = await store.createProposal(caller, p);
      // A repeated run finds its proposal recorded, and its review started unless the earlier
      // attempt stopped in between.
      if (review && !stored.reviewInstanceId) {
        const instanceId = await review.start(caller, stored);
        await store.setReviewInstance(caller, stored.proposalId, instanceId);
      }
      return { proposalId: stored.proposalId };
    },
  };
}

const required = (field: string, value: string, what: string) => {
  if (!value)
    throw AmeideError.invalidArgument(`${field} is required`, [{ field, description: what }]);
};

/** Applies a decided proposal: the proposed call, once (the proposal id is its idempotency key). */
export async function applyProposal(
  options: Pick<AgentServiceOptions, 'store' | 'host'>,
  caller: RequestContext,
  proposalId: string,
): Promise<ProposalView> {
  const p = await options.store.getProposal(caller, proposalId);
  if (p.status === 'applied' || p.status === 'failed') return p;
  if (p.status !== 'approved') {
    throw new AmeideError(
      ErrorCode.FailedPrecondition,
      `proposal ${proposalId} is ${p.status}, not approved: nothing is applied`,
      {
        reason: 'PROPOSAL_NOT_APPROVED',
        domain: 'ameide.agents',
      },
    );
  }
  try {
    const result = await options.host.call(p.rpc, p.arguments, {
      caller,
      idempotencyKey: `proposal:${p.proposalId}`,
    });
    return await options.store.markApplied(caller, proposalId, result);
  } catch (err) {
    const e = AmeideError.from(err);
    // The domain refused the change for good; a transient failure is retried by the task.
    if (
      e.code === ErrorCode.Unavailable ||
      e.code === ErrorCode.DeadlineExceeded ||
      e.code === ErrorCode.Aborted
    )
      throw e;
    return options.store.markFailed(caller, proposalId, `${e.code}: ${e.message}`);
  }
}

/** AgentService: run agents, read runs and proposals, decide and apply proposals. */
export function agentServiceRoutes(options: AgentServiceOptions): ServiceRegistration {
  const { store, runtime } = options;
  return (router: ConnectRouter) =>
    router.service(AgentService, {
      async *runAgent(req, ctx: HandlerContext) {
        const rc = getRequestContext(ctx);
        required('agent', req.agent, 'the AgentDefinition to run');
        required('input', req.input.trim(), 'the task for the agent');
        if (req.version < 0)
          throw AmeideError.invalidArgument('version must be 0 (latest) or a published version', [
            { field: 'version', description: `got ${req.version}` },
          ]);
        const agent = await options.resolve(
          rc,
          req.agent,
          req.version === 0 ? 'latest' : req.version,
        );
        // Events are queued while the run goes on and streamed as they come.
        const queue: RunAgentResponse['event'][] = [];
        let wake: (() => void) | undefined;
        const push = (e: RunAgentResponse['event']) => {
          queue.push(e);
          wake?.();
        };
        const onEvent = (e: AgentRunEvent) => {
          if (e.type === 'step')
            push({
              case: 'step',
              value: { $typeName: 'ameide.agents.v1.StepEvent', step: e.step, node: e.node },
            });
          else if (e.type === 'token') push({ case: 'text', value: e.text });
          else if (e.type === 'tool_call')
            push({ case: 'toolCall', value: toolCallToProto(e.record) });
          else if (e.type === 'proposal') push({ case: 'proposalId', value: e.proposalId });
          else if (e.type === 'malformed') push({ case: 'malformed', value: e.error });
        };
        let done = false;
        const running = runtime
          .run({
            config: agent.config,
            version: agent.version,
            configHash: agent.hash,
            caller: rc,
            input: req.input,
            signal: ctx.signal,
            onEvent,
          })
          .then(async (result) => {
            await store.saveRun(rc, result);
            push({ case: 'run', value: runToProto(result) });
          })
          .finally(() => {
            done = true;
            wake?.();
          });
        while (true) {
          while (queue.length) yield { event: queue.shift()! };
          if (done) break;
          await new Promise<void>((r) => (wake = r));
          wake = undefined;
        }
        await running;
        while (queue.length) yield { event: queue.shift()! };
      },
      async getRun(req, ctx) {
        required('run_id', req.runId, 'the run to read');
        return { run: runToProto(await store.getRun(getRequestContext(ctx), req.runId)) };
      },
      async listRuns(req, ctx) {
        const runs = await store.listRuns(getRequestContext(ctx), {
          ...(req.agent ? { agent: req.agent } : {}),
          ...(req.pageSize > 0 ? { limit: req.pageSize } : {}),
        });
        return { runs: runs.map(runToProto) };
      },
      async listProposals(req, ctx) {
        const status = proposalStatusFromProto(req.status);
        const list = await store.listProposals(getRequestContext(ctx), {
          ...(req.runId ? { runId: req.runId } : {}),
          ...(status ? { status } : {}),
          ...(req.proposalId ? { proposalId: req.proposalId } : {}),
          ...(req.pageSize > 0 ? { limit: req.pageSize } : {}),
        });
        return { proposals: list.map(proposalToProto) };
      },
      async decideProposal(req, ctx) {
        const rc = getRequestContext(ctx);
        required('proposal_id', req.proposalId, 'the proposal to decide');
        const current = await store.getProposal(rc, req.proposalId);
        if (!rc.groups.includes(current.approverGroup)) {
          throw new AmeideError(
            ErrorCode.PermissionDenied,
            `proposal ${current.proposalId} is decided by group ${current.approverGroup}; ${rc.userId} is not in it`,
            { reason: 'NOT_AN_APPROVER', domain: 'ameide.agents' },
          );
        }
        const decided = await store.decide(rc, req.proposalId, req.approve, req.comment);
        // Only the call that decided it moves the review on (a repeated decision is a no-op).
        if (options.review && decided.reviewInstanceId && current.status === 'pending')
          await options.review.decide(
            rc,
            decided,
            req.approve,
            req.comment,
            ctx.requestHeader.get('authorization') ?? undefined,
          );
        return { proposal: proposalToProto(await store.getProposal(rc, req.proposalId)) };
      },
      async applyProposal(req, ctx) {
        const rc = getRequestContext(ctx);
        required('proposal_id', req.proposalId, 'the proposal to apply');
        return { proposal: proposalToProto(await applyProposal(options, rc, req.proposalId)) };
      },
    });
}
