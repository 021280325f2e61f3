import type { ModelProvider, RiskTier } from '../model/agent-definition.js';
import type { NormalizedGraph } from '../model/agent-graph.js';
import type { JsonSchema } from '../tools/tool-schema.js';

/** The version of {@link AgentRuntimeConfig}'s shape. */
export const AGENT_CONFIG_VERSION = 1;

/** One tool as the runtime runs it: the method, its risk tier and its argument schema. */
export interface CompiledTool {
  readonly name: string;
  readonly rpc: string;
  readonly risk: RiskTier;
  readonly description: string;
  /** JSON Schema of the arguments (proto JSON of the method's input, with the constraints). */
  readonly parameters: JsonSchema;
  /** Declared NO_SIDE_EFFECTS in the proto (copied from the descriptor at publish). */
  readonly readOnly: boolean;
}

/** Every bound of a run, filled. */
export interface CompiledLimits {
  readonly maxSteps: number;
  readonly maxToolCalls: number;
  readonly tokenBudget: number;
  readonly timeoutMs: number;
  readonly maxMalformedRetries: number;
}

/**
 * What a published AgentDefinition version compiles to: normalized, every default filled,
 * tool schemas pinned from the descriptors at publish time; stored with the version, and its
 * sha256 is the version's plan hash. The runtime reads only this.
 */
export interface AgentRuntimeConfig {
  readonly configVersion: typeof AGENT_CONFIG_VERSION;
  readonly name: string;
  readonly description: string;
  readonly model: {
    readonly provider: ModelProvider;
    readonly name: string;
    readonly temperature: number;
    readonly maxTokens: number;
    readonly script?: readonly unknown[];
  };
  readonly systemPrompt: string;
  readonly tools: readonly CompiledTool[];
  readonly graph: NormalizedGraph;
  readonly scope: { readonly services: readonly string[] };
  readonly policy: { readonly allowAct: boolean; readonly approverGroup: string };
  readonly limits: CompiledLimits;
  /** sha256 of the definition's canonical JSON. */
  readonly definitionHash: string;
}
