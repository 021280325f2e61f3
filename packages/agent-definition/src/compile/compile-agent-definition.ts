import { createHash } from 'node:crypto';
import type { AgentDefinition } from '../model/agent-definition.js';
import { graphOf, findCycle } from '../model/agent-graph.js';
import { methodInfo } from '../tools/method-metadata.js';
import { messageJsonSchema } from '../tools/tool-schema.js';
import { applyConstraints } from '../tools/tool-parameters.js';
import {
  lintAgentDefinition,
  type AgentDefinitionViolation,
} from '../lint/lint-agent-definition.js';
import { AGENT_CONFIG_VERSION, type AgentRuntimeConfig } from './agent-runtime-config.js';
import { canonicalJson } from './canonical-json.js';

/** Defaults of the model parameters. */
const DEFAULT_MAX_TOKENS = 256;

/** The result of {@link compileAgentDefinition}. */
export type CompileAgentResult =
  | {
      readonly ok: true;
      readonly config: AgentRuntimeConfig;
      /** The config's canonical JSON, the bytes stored with the published version. */
      readonly bytes: Uint8Array;
      /** sha256 (hex) of `bytes`. */
      readonly hash: string;
      /** Proto methods the agent may call, for the Graph (`calls`). */
      readonly calls: readonly string[];
    }
  | { readonly ok: false; readonly violations: readonly AgentDefinitionViolation[] };

const sha256 = (s: string | Uint8Array) => createHash('sha256').update(s).digest('hex');

/**
 * Lints a definition (JSON value) and compiles it to its pinned {@link AgentRuntimeConfig}:
 * graph normalized, limits filled (a graph without a loop runs at most as many steps as it
 * has nodes), every tool's argument schema derived from its method's input descriptor with
 * the constraints applied. The same definition always compiles to the same bytes.
 */
export function compileAgentDefinition(value: unknown): CompileAgentResult {
  const linted = lintAgentDefinition(value);
  if (!linted.definition) return { ok: false, violations: linted.violations };
  const d: AgentDefinition = linted.definition;
  const graph = graphOf(d.graph);
  const loops = findCycle(graph) !== undefined;
  const tools = d.tools.map((t) => {
    const info = methodInfo(t.rpc)!;
    return {
      name: t.name,
      rpc: t.rpc,
      risk: t.risk,
      description:
        t.description ?? `${t.risk === 'propose' ? 'Propose a call of' : 'Call'} ${t.rpc}`,
      parameters: applyConstraints(messageJsonSchema(info.method.input), t.constraints),
      readOnly: info.readOnly,
    };
  });
  const config: AgentRuntimeConfig = {
    configVersion: AGENT_CONFIG_VERSION,
    name: d.name,
    description: d.description ?? '',
    model: {
      provider: d.model.provider,
      name: d.model.name,
      temperature: d.model.parameters.temperature ?? 0,
      maxTokens: d.model.parameters.maxTokens ?? DEFAULT_MAX_TOKENS,
      ...(d.model.parameters.script ? { script: d.model.parameters.script } : {}),
    },
    systemPrompt: d.systemPrompt,
    tools,
    graph,
    scope: { services: [...d.scope.services].sort() },
    policy: { allowAct: d.policy.allowAct, approverGroup: d.policy.approverGroup },
    limits: {
      maxSteps: d.limits.maxSteps ?? (loops ? 1 : graph.nodes.length),
      maxToolCalls: d.limits.maxToolCalls ?? (loops ? 0 : tools.length),
      tokenBudget: d.limits.tokenBudget!,
      timeoutMs: d.limits.timeoutMs!,
      maxMalformedRetries: d.limits.maxMalformedRetries,
    },
    definitionHash: sha256(canonicalJson(value)),
  };
  const bytes = new TextEncoder().encode(canonicalJson(config));
  return {
    ok: true,
    config,
    bytes,
    hash: sha256(bytes),
    calls: [...new Set(tools.map((t) => t.rpc))].sort(),
  };
}
