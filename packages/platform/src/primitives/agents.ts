import { randomBytes } from 'node:crypto';
import type { RequestContext } from '@ameide/context';
import { AmeideError, ErrorCode, isAmeideError } from '@ameide/errors';
import {
  agentProposalReviewDefinition,
  agentServiceRoutes,
  createAgentRuntime,
  createAgentStore,
  createModelFactory,
  createSdkToolHost,
  runIdOf,
  PROPOSAL_REVIEW_PROCESS,
  storeProposalSink,
  type AgentChatModel,
  type AgentResolver,
  type AgentSandbox,
  type AgentRuntime,
  type AgentStore,
  type ModelFactoryOptions,
  type ProposalReview,
  type ProposalSink,
  type ToolHost,
} from '@ameide/agent-runtime';
import { compileAgentDefinition, type AgentRuntimeConfig } from '@ameide/agent-definition';
import type { Database } from '@ameide/persistence';
import type { AgentInvoker, TokenProvider } from '@ameide/process-runtime';
import type { Logger, ServiceRegistration } from '@ameide/server';
import { ArtifactKind, type ArtifactStore } from '@ameide/transformation';

/** The user task of `agent-proposal-review` that takes the decision. */
const REVIEW_TASK_NODE = 'Task_Review';

/** Agent settings of `createPlatform`. */
export interface AgentsOptions {
  /** OpenAI-compatible endpoint, embedded model file (see `createModelFactory`). */
  readonly models?: Omit<ModelFactoryOptions, 'override'>;
  /** Replaces every agent's model (tests: a scripted model). */
  readonly modelOverride?: (config: AgentRuntimeConfig) => AgentChatModel | undefined;
}

export interface AgentsPrimitiveOptions extends AgentsOptions {
  readonly db: Database;
  /** Published AgentDefinitions (pinned runtime configs) and the review process. */
  readonly store: ArtifactStore;
  /** Tokens for the caller: tool calls and review steps act as them, never as the platform. */
  readonly tokens: TokenProvider;
  /**
   * Where a service (`package.Service`) is served: tool calls, reviews and applied proposals
   * go there (in one process, the service host's URL once it listens).
   */
  readonly serviceUrl: (service: string) => string;
  /** Whether a ProcessService serves this platform: proposals are then reviewed by `agent-proposal-review`. */
  readonly processes: boolean;
  /**
   * Erases every row of a tenant (sandbox runs' throwaway tenants). Without it RunSandbox is
   * `unimplemented`: the tenant's rows could not be erased from every primitive's database.
   */
  readonly eraseTenant?: (tenantId: string) => Promise<unknown>;
  /**
   * Serve only this agent (an Agent resource's Deployment): RunAgent of another is
   * `failed_precondition`, and `version` is what RunAgent's "latest" runs.
   */
  readonly only?: { readonly agent: string; readonly version?: number };
  /**
   * The methods the agent was granted (the Agent resource's tool grants): a tool call of any
   * other is `permission_denied`, whatever the definition lists.
   */
  readonly allowedMethods?: readonly string[];
  readonly logger?: Logger;
}

/** AgentService, the runtime behind it, and the invoker of `agentTask` nodes. */
export interface AgentsPrimitive {
  readonly routes: ServiceRegistration;
  readonly runtime: AgentRuntime;
  readonly store: AgentStore;
  /** The in-process runtime as the process worker's agent invoker. */
  readonly invoker: AgentInvoker;
}

const decoder = new TextDecoder();
const traceId = () => randomBytes(16).toString('hex');

/**
 * Wires the Agent primitive: AgentService on the agents schema, the runtime with an SDK tool
 * host (calls back through this host with the caller's token), proposals reviewed by the
 * shipped `agent-proposal-review` process when ProcessService runs here (published in a
 * tenant before its first review), and the invoker process `agentTask` nodes run.
 */
export function createAgentsPrimitive(options: AgentsPrimitiveOptions): AgentsPrimitive {
  const { store: artifacts } = options;
  const agentStore = createAgentStore(options.db);
  const sdkHost = createSdkToolHost({ serviceUrl: options.serviceUrl, tokens: options.tokens });
  const granted = options.allowedMethods ? new Set(options.allowedMethods) : undefined;
  const host: ToolHost = granted
    ? {
        call: (rpc, request, o) =>
          granted.has(rpc)
            ? sdkHost.call(rpc, request, o)
            : Promise.reject(
                new AmeideError(
                  ErrorCode.PermissionDenied,
                  `${rpc} is not among the methods this agent was granted`,
                  { reason: 'TOOL_NOT_GRANTED', domain: 'ameide.agents' },
                ),
              ),
      }
    : sdkHost;
  // The primitive's own calls (reviews, publishing the review process) are not tool calls:
  // the grants do not bound them.
  const call = (
    caller: RequestContext,
    rpc: string,
    request: Record<string, unknown>,
    authorization?: string,
    idempotencyKey?: string,
  ) =>
    sdkHost.call(rpc, request, {
      caller,
      ...(authorization ? { authorization } : {}),
      ...(idempotencyKey ? { idempotencyKey } : {}),
    });

  const resolve: AgentResolver = async (caller, agent, requested) => {
    const only = options.only;
    if (only && agent !== only.agent)
      throw new AmeideError(
        ErrorCode.FailedPrecondition,
        `this agent host runs agent ${only.agent} only, not ${agent}`,
        { reason: 'OTHER_AGENT', domain: 'ameide.agents' },
      );
    const version = requested === 'latest' && only?.version ? only.version : requested;
    const published = await artifacts.getPublishedPlan(
      { tenantId: caller.tenantId, userId: caller.userId },
      { kind: ArtifactKind.AgentDefinition, name: agent },
      version,
    );
    return {
      config: JSON.parse(decoder.decode(published.plan)) as AgentRuntimeConfig,
      version: published.version.version,
      hash: published.version.planHash ?? '',
    };
  };

  // The review process is published in a tenant the first time it is needed.
  const published = new Set<string>();
  const ensureReviewProcess = async (caller: RequestContext) => {
    if (published.has(caller.tenantId)) return;
    const who = { tenantId: caller.tenantId, userId: caller.userId };
    const ref = { kind: ArtifactKind.ProcessDefinition, name: PROPOSAL_REVIEW_PROCESS };
    try {
      await artifacts.getPublishedPlan(who, ref, 'latest');
    } catch (err) {
      if (!isAmeideError(err) || err.code !== ErrorCode.NotFound) throw err;
      const created = await artifacts
        .create(who, {
          ...ref,
          contentType: 'application/json',
          content: new TextEncoder().encode(JSON.stringify(agentProposalReviewDefinition)),
        })
        .catch(async (e: unknown) => {
          // Created meanwhile (a concurrent proposal): publish what is there.
          if (isAmeideError(e) && e.code === ErrorCode.AlreadyExists)
            return (await artifacts.get(who, ref)).state;
          throw e;
        });
      await artifacts.publish(who, { artifactId: created.id }).catch((e: unknown) => {
        if (!(
          isAmeideError(e) &&
          (e.code === ErrorCode.FailedPrecondition || e.code === ErrorCode.Aborted)
        ))
          throw e;
      });
    }
    published.add(caller.tenantId);
  };

  const review: ProposalReview | undefined = options.processes
    ? {
        async start(caller, proposal) {
          await ensureReviewProcess(caller);
          // One review per proposal, however often its run is repeated (see storeProposalSink).
          const res = await call(
            caller,
            'ameide.process.v1.ProcessService/StartProcess',
            {
              definitionName: PROPOSAL_REVIEW_PROCESS,
              businessKey: `proposal:${proposal.proposalId}`,
              variables: {
                proposalId: proposal.proposalId,
                approverGroup: proposal.approverGroup,
                summary:
                  `${proposal.agent} proposes ${proposal.rpc} ${JSON.stringify(proposal.arguments)}`.slice(
                    0,
                    900,
                  ),
              },
            },
            undefined,
            `review:${proposal.proposalId}`,
          );
          return String(res['instanceId']);
        },
        async decide(caller, proposal, approve, comment, authorization) {
          const instanceId = proposal.reviewInstanceId;
          // Whether the review got its decision already (an earlier or a concurrent call).
          const reviewed = async () => {
            const res = await call(
              caller,
              'ameide.process.v1.ProcessService/GetProcessInstance',
              { instanceId },
              authorization,
            );
            const instance = res['instance'] as
              { status?: string; audit?: { event?: string; nodeId?: string }[] } | undefined;
            return (
              instance?.status !== 'INSTANCE_STATUS_RUNNING' ||
              (instance.audit ?? []).some(
                (a) => a.event === 'completed' && a.nodeId === REVIEW_TASK_NODE,
              )
            );
          };
          // The user task appears once the instance reached it.
          for (let attempt = 0; attempt < 50; attempt++) {
            const res = await call(
              caller,
              'ameide.process.v1.ProcessService/ListUserTasks',
              { instanceId },
              authorization,
            );
            const task = (res['tasks'] as { taskId: string }[] | undefined)?.[0];
            if (task) {
              try {
                await call(
                  caller,
                  'ameide.process.v1.ProcessService/CompleteUserTask',
                  { instanceId, taskId: task.taskId, data: { approved: approve, comment } },
                  authorization,
                );
              } catch (err) {
                if (!(isAmeideError(err) && err.code === ErrorCode.FailedPrecondition)) throw err;
                if (!(await reviewed())) throw err;
              }
              return;
            }
            if (await reviewed()) return;
            await new Promise((r) => setTimeout(r, 100));
          }
          throw new AmeideError(
            ErrorCode.Unavailable,
            `the review of proposal ${proposal.proposalId} has no open task yet; decide again`,
            {
              reason: 'REVIEW_NOT_READY',
              domain: 'ameide.agents',
            },
          );
        },
      }
    : undefined;

  const runtimeWith = (proposals: ProposalSink) =>
    createAgentRuntime({
      host,
      proposals,
      models: createModelFactory({
        ...options.models,
        ...(options.modelOverride ? { override: options.modelOverride } : {}),
      }),
      ...(options.logger
        ? {
            log: (line) =>
              options.logger!.info(line, typeof line['msg'] === 'string' ? line['msg'] : 'agent'),
          }
        : {}),
    });
  const runtime = runtimeWith(storeProposalSink(agentStore, review));

  // Sandbox runs: the caller's draft in a throwaway tenant. Proposals stay there (no review
  // starts), the tenant's rows are erased afterwards, and the outcome goes on the artifact.
  const sandbox: AgentSandbox = {
    runtime: runtimeWith(storeProposalSink(agentStore, undefined)),
    async draft(caller, agent) {
      const who = { tenantId: caller.tenantId, userId: caller.userId };
      const { state } = await artifacts.get(who, {
        kind: ArtifactKind.AgentDefinition,
        name: agent,
      });
      const compiled = compileAgentDefinition(JSON.parse(decoder.decode(state.content)) as unknown);
      if (!compiled.ok)
        throw AmeideError.invalidArgument(
          `agent ${agent}: its draft does not compile`,
          compiled.violations,
        );
      return {
        config: JSON.parse(decoder.decode(compiled.bytes)) as AgentRuntimeConfig,
        // Version 0: a draft, not a published version.
        version: 0,
        hash: compiled.hash,
        artifactId: state.id,
        contentHash: state.contentHash,
      };
    },
    async record(caller, draft, run) {
      await artifacts.recordSandboxRun(
        { tenantId: caller.tenantId, userId: caller.userId },
        {
          artifactId: draft.artifactId,
          contentHash: draft.contentHash,
          planHash: draft.hash,
          runId: run.runId,
          status: run.status,
          sandboxTenant: run.sandboxTenant ?? '',
          toolCalls: run.toolCalls.length,
        },
      );
    },
    async erase(tenantId) {
      await options.eraseTenant?.(tenantId);
    },
  };

  const invoker: AgentInvoker = {
    async invoke(request, invocation = {}) {
      const caller: RequestContext = {
        tenantId: request.actor.tenantId,
        orgId: request.actor.orgId ?? '',
        userId: request.actor.userId,
        groups: [],
        traceId: traceId(),
      };
      // Every attempt of one agent task runs under one run id: an attempt after the run was
      // recorded answers the record, and one after an attempt that stopped mid-run finds the
      // proposals that attempt recorded (see NewProposal.sequence) instead of adding more.
      const runId = invocation.invocationKey ? runIdOf(invocation.invocationKey) : undefined;
      let result = runId ? await agentStore.findRun(caller, runId) : undefined;
      if (!result) {
        const agent = await resolve(caller, request.agent, request.version);
        result = await runtime.run({
          config: agent.config,
          version: agent.version,
          configHash: agent.hash,
          caller,
          ...(runId ? { runId } : {}),
          input: `${request.instructions ? `${request.instructions}\n\n` : ''}${JSON.stringify(request.input)}`,
        });
        await agentStore.saveRun(caller, result);
      }
      return {
        runId: result.runId,
        status: result.status,
        message: result.message,
        answer: result.answer,
        proposals: result.proposals,
      };
    },
  };

  return {
    routes: agentServiceRoutes({
      store: agentStore,
      runtime,
      resolve,
      host,
      ...(review ? { review } : {}),
      // The throwaway tenant's rows must be erasable, and the run is the caller's draft of any agent.
      ...(options.eraseTenant && !options.only ? { sandbox } : {}),
    }),
    runtime,
    store: agentStore,
    invoker,
  };
}
