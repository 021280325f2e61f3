import { fromJson, type JsonValue } from '@bufbuild/protobuf';
import { Ajv, type ValidateFunction } from 'ajv';
import type { RequestContext } from '@ameide/context';
import { AmeideError, ErrorCode } from '@ameide/errors';
import { ameideRegistry } from '@ameide/proto';
import { methodInfo, type AgentRuntimeConfig, type CompiledTool } from '@ameide/agent-definition';
import type { ToolHost } from './tool-host.js';

/** A proposal the runtime records instead of calling a `propose` tool's method. */
export interface NewProposal {
  readonly runId: string;
  /**
   * The nth proposal of its run, from 1. With the run id it names the proposal, so a run
   * repeated under the same id (a retried `agentTask` activity) records each proposal once.
   */
  readonly sequence: number;
  readonly agent: string;
  readonly agentVersion: number;
  readonly tool: string;
  readonly rpc: string;
  readonly arguments: Record<string, unknown>;
  readonly rationale: string;
  readonly approverGroup: string;
}

/** Where proposals go (the AgentService's store, which also starts their review). */
export interface ProposalSink {
  create(caller: RequestContext, proposal: NewProposal): Promise<{ readonly proposalId: string }>;
}

/** The outcome of one tool call, as the model sees it and the run records it. */
export type ToolOutcome =
  | { readonly kind: 'result'; readonly content: unknown }
  | { readonly kind: 'proposed'; readonly proposalId: string }
  /** The call itself is wrong (unknown tool, arguments off-schema): counts as malformed. */
  | { readonly kind: 'malformed'; readonly error: string }
  /** The method answered an error (not found, permission denied, ...): the model is told. */
  | { readonly kind: 'error'; readonly code: string; readonly message: string };

const ajv = new Ajv({ allErrors: true, strict: false });
const validators = new WeakMap<CompiledTool, ValidateFunction>();

function validatorOf(tool: CompiledTool): ValidateFunction {
  let v = validators.get(tool);
  if (!v) {
    v = ajv.compile(tool.parameters);
    validators.set(tool, v);
  }
  return v;
}

/**
 * The allowlist at the last step before the wire: only methods that are tools of the
 * definition, `read` tools only within its scope and only if the proto still declares them
 * NO_SIDE_EFFECTS, `act` tools only when the policy allows them. Anything else is
 * `permission_denied` without a call.
 */
export function allowlistedHost(config: AgentRuntimeConfig, host: ToolHost): ToolHost {
  return {
    call(rpc, request, options) {
      const tool = config.tools.find((t) => t.rpc === rpc && t.risk !== 'propose');
      const info = methodInfo(rpc);
      const refuse = (why: string) =>
        Promise.reject(
          new AmeideError(ErrorCode.PermissionDenied, `agent ${config.name}: ${rpc} ${why}`, {
            reason: 'TOOL_NOT_ALLOWED',
            domain: 'ameide.agents',
          }),
        );
      if (!tool || !info) return refuse("is not on the agent's allowlist");
      if (!config.scope.services.includes(info.service))
        return refuse("is outside the agent's scope");
      if (tool.risk === 'read' && !info.readOnly) return refuse('is not a read method');
      if (tool.risk === 'act' && !config.policy.allowAct)
        return refuse('acts, and the policy does not allow act tools');
      return host.call(rpc, request, options);
    },
  };
}

export interface ToolExecutorOptions {
  readonly config: AgentRuntimeConfig;
  readonly agentVersion: number;
  readonly host: ToolHost;
  readonly proposals: ProposalSink;
  readonly caller: RequestContext;
  readonly runId: string;
  readonly signal?: AbortSignal;
  /** `act` calls are logged here (and in the run's audit record). */
  readonly onAct?: (tool: CompiledTool, args: Record<string, unknown>) => void;
}

/**
 * Runs the model's tool calls by risk tier: `read` calls the method as the caller, `propose`
 * records a Proposal (the domain is not called), `act` calls it with the call's id as the
 * idempotency key. Arguments are checked against the tool schema and the method's input
 * message before anything happens.
 */
export function createToolExecutor(options: ToolExecutorOptions) {
  const { config, caller, runId } = options;
  const host = allowlistedHost(config, options.host);
  let proposed = 0;
  /** Why a call is malformed (unknown tool, arguments off the tool schema or the method's input), or undefined. */
  const check = (call: { name: string; args: unknown }): string | undefined => {
    const tool = config.tools.find((t) => t.name === call.name);
    if (!tool)
      return `there is no tool ${call.name}; the tools are ${config.tools.map((t) => t.name).join(', ')}`;
    const validate = validatorOf(tool);
    if (!validate(call.args)) {
      const errs = (validate.errors ?? [])
        .map((e) => `${e.instancePath || 'arguments'} ${e.message ?? ''}`.trim())
        .join('; ');
      return `arguments of ${tool.name} do not match its schema: ${errs}`;
    }
    try {
      fromJson(methodInfo(tool.rpc)!.method.input, call.args as JsonValue, {
        registry: ameideRegistry,
      });
    } catch (err) {
      return `arguments of ${tool.name}: ${(err as Error).message}`;
    }
    return undefined;
  };
  return {
    check,
    async execute(
      call: { id: string; name: string; args: unknown },
      rationale: string,
    ): Promise<ToolOutcome> {
      const problem = check(call);
      if (problem) return { kind: 'malformed', error: problem };
      const tool = config.tools.find((t) => t.name === call.name)!;
      const args = call.args as Record<string, unknown>;
      try {
        if (tool.risk === 'propose') {
          const { proposalId } = await options.proposals.create(caller, {
            runId,
            sequence: ++proposed,
            agent: config.name,
            agentVersion: options.agentVersion,
            tool: tool.name,
            rpc: tool.rpc,
            arguments: args,
            rationale,
            approverGroup: config.policy.approverGroup,
          });
          return { kind: 'proposed', proposalId };
        }
        if (tool.risk === 'act') options.onAct?.(tool, args);
        const content = await host.call(tool.rpc, args, {
          caller,
          ...(tool.risk === 'act' ? { idempotencyKey: `${runId}/${call.id}` } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        });
        return { kind: 'result', content };
      } catch (err) {
        if (options.signal?.aborted) throw err;
        const e = AmeideError.from(err);
        return { kind: 'error', code: e.code, message: e.message };
      }
    },
  };
}
