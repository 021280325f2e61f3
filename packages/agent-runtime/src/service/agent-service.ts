import { randomBytes } from 'node:crypto';
import { create, type JsonObject } from '@bufbuild/protobuf';
import type { ConnectRouter, HandlerContext } from '@connectrpc/connect';
import { getRequestContext, SANDBOX_TENANT_PREFIX, type RequestContext } from '@ameide/context';
import { AmeideError, ErrorCode } from '@ameide/errors';
import {
  AgentService,
  FixtureResultSchema,
  RunAgentResponseSchema,
  type FixtureCall,
  type RunAgentResponse,
} from '@ameide/proto';
import { methodInfo, type AgentRuntimeConfig } from '@ameide/agent-definition';
import type { AgentStore, ProposalView } from '../proposals/agent-store.js';
import type { AgentRuntime } from '../run/agent-runtime.js';
import type { AgentRunEvent, AgentRunResult } from '../run/run-types.js';
import { substituteFixtures, substituteInRequest } from '../sandbox/sandbox-input.js';
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
  /** Without one, RunSandbox is `unimplemented`. */
  readonly sandbox?: AgentSandbox;
}

/** An AgentDefinition's draft, compiled, as a sandbox run runs it. */
export interface SandboxDraft extends ResolvedAgent {
  readonly artifactId: string;
  /** sha256 of the draft content that ran: the record on the artifact names it. */
  readonly contentHash: string;
}

/** What RunSandbox needs besides the service's own parts (the platform wires it). */
export interface AgentSandbox {
  /** A runtime whose proposals start no review: they stay in the sandbox tenant. */
  readonly runtime: AgentRuntime;
  /** The caller's AgentDefinition draft, compiled (`invalid_argument` when it does not compile). */
  draft(caller: RequestContext, agent: string): Promise<SandboxDraft>;
  /** Records how the run ended on the artifact (publishing may require a completed one). */
  record(caller: RequestContext, draft: SandboxDraft, run: AgentRunResult): Promise<void>;
  /** Erases every row of the throwaway tenant. */
  erase(sandboxTenant: string): Promise<void>;
}

/** Answers to a fixture call that are about what it asked for. */
const CALLER_CODES = new Set<string>([
  ErrorCode.InvalidArgument,
  ErrorCode.NotFound,
  ErrorCode.AlreadyExists,
  ErrorCode.FailedPrecondition,
  ErrorCode.PermissionDenied,
  ErrorCode.OutOfRange,
]);

/** Most fixture calls one sandbox run takes. */
export const MAX_FIXTURES = 50;

function checkFixtures(fixtures: readonly FixtureCall[]): void {
  if (fixtures.length > MAX_FIXTURES)
    throw AmeideError.invalidArgument(`at most ${MAX_FIXTURES} fixture calls`, [
      { field: 'fixtures', description: `got ${fixtures.length}` },
    ]);
  for (const [i, f] of fixtures.entries())
    if (!methodInfo(f.rpc))
      throw AmeideError.invalidArgument(`fixtures[${i}].rpc: no method ${f.rpc || '(empty)'}`, [
        {
          field: `fixtures[${i}].rpc`,
          description: 'a method of the platform API, as `package.Service/Method`',
        },
      ]);
}

/** Streams a run's events the way RunAgent answers them, ending with the run's record. */
async function* streamRun(
  start: (onEvent: (e: AgentRunEvent) => void) => Promise<AgentRunResult>,
): AsyncGenerator<{ event: RunAgentResponse['event'] }> {
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
    else if (e.type === 'tool_call') push({ case: 'toolCall', value: toolCallToProto(e.record) });
    else if (e.type === 'proposal') push({ case: 'proposalId', value: e.proposalId });
    else if (e.type === 'malformed') push({ case: 'malformed', value: e.error });
  };
  let done = false;
  const running = start(onEvent)
    .then((result) => push({ case: 'run', value: runToProto(result) }))
    .finally(() => {
      done = true;
      wake?.();
    });
  try {
    while (true) {
      while (queue.length) yield { event: queue.shift()! };
      if (done) break;
      await new Promise<void>((r) => (wake = r));
      wake = undefined;
    }
    await running;
    while (queue.length) yield { event: queue.shift()! };
  } finally {
    // A caller gone early: the run (aborted by the call's signal) ends before this returns.
    await running.catch(() => undefined);
  }
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
export function agentServiceRoutes(options: AgentServiceOptions): (router: ConnectRouter) => void {
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
        yield* streamRun((onEvent) =>
          runtime
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
              return result;
            }),
        );
      },
      async *runSandbox(req, ctx: HandlerContext) {
        const rc = getRequestContext(ctx);
        const sandbox = options.sandbox;
        if (!sandbox)
          throw new AmeideError(ErrorCode.Unimplemented, 'this host runs no agent sandbox', {
            reason: 'SANDBOX_UNAVAILABLE',
            domain: 'ameide.agents',
          });
        required('agent', req.agent, 'the AgentDefinition whose draft runs');
        required('input', req.input.trim(), 'the task for the agent');
        checkFixtures(req.fixtures);
        const draft = await sandbox.draft(rc, req.agent);
        // The throwaway tenant: the caller's identity in a tenant nobody else has.
        const tenant = `${SANDBOX_TENANT_PREFIX}${randomBytes(6).toString('hex')}`;
        const inSandbox: RequestContext = { ...rc, tenantId: tenant, orgId: tenant };
        try {
          const answers: unknown[] = [];
          for (const [index, f] of req.fixtures.entries()) {
            const response = await options.host
              .call(
                f.rpc,
                substituteInRequest(
                  f.request ?? {},
                  answers,
                  `fixtures[${index}].request`,
                ) as Record<string, unknown>,
                {
                  caller: inSandbox,
                  signal: ctx.signal,
                },
              )
              .catch((err: unknown) => {
                const e = AmeideError.from(err);
                // The platform failing is not the fixture's fault.
                if (!CALLER_CODES.has(e.code)) throw e;
                throw AmeideError.invalidArgument(
                  `fixture ${index} (${f.rpc}) failed: ${e.code}: ${e.message}`,
                  [{ field: `fixtures[${index}]`, description: e.message }],
                );
              });
            answers.push(response);
            yield {
              event: {
                case: 'fixture',
                value: create(FixtureResultSchema, {
                  index,
                  rpc: f.rpc,
                  response: JSON.parse(JSON.stringify(response ?? {})) as JsonObject,
                }),
              },
            };
          }
          const input = substituteFixtures(req.input, answers);
          for await (const r of streamRun((onEvent) =>
            sandbox.runtime
              .run({
                config: draft.config,
                version: draft.version,
                configHash: draft.hash,
                caller: inSandbox,
                input,
                signal: ctx.signal,
                onEvent,
              })
              .then(async (result) => {
                const run = { ...result, sandboxTenant: tenant };
                // The audit record stays with the caller; the outcome goes on the artifact.
                await store.saveRun(rc, run);
                await sandbox.record(rc, draft, run);
                return run;
              }),
          ))
            yield { event: { case: 'agent', value: create(RunAgentResponseSchema, r) } };
        } finally {
          await sandbox.erase(tenant);
        }
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
        // The review is told by the call that decided, and again by a repeated decision while
        // it waits (telling it failed, e.g. before its task was open: "decide again" works).
        if (
          options.review &&
          decided.reviewInstanceId &&
          decided.status === (req.approve ? 'approved' : 'rejected')
        )
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
