// Model
export {
  AGENT_POLICY,
  agentDefinitionSchema,
  ModelProvider,
  RiskTier,
} from './model/agent-definition.js';
export type {
  AgentDefinition,
  AgentDefinitionInput,
  AgentGraph,
  AgentTool,
  ArgumentConstraint,
} from './model/agent-definition.js';
export { graphOf, REACT_GRAPH } from './model/agent-graph.js';
export type { GraphEdge, GraphNode, NormalizedGraph } from './model/agent-graph.js';

// Lint
export { lintAgentDefinition } from './lint/lint-agent-definition.js';
export type { AgentDefinitionViolation, AgentLintResult } from './lint/lint-agent-definition.js';
export { AgentDefinitionRule } from './lint/agent-definition-rule.js';

// Compile
export { compileAgentDefinition } from './compile/compile-agent-definition.js';
export type { CompileAgentResult } from './compile/compile-agent-definition.js';
export { AGENT_CONFIG_VERSION } from './compile/agent-runtime-config.js';
export type {
  AgentRuntimeConfig,
  CompiledLimits,
  CompiledTool,
} from './compile/agent-runtime-config.js';
export { canonicalJson } from './compile/canonical-json.js';

// Tools (for the runtime)
export { methodInfo } from './tools/method-metadata.js';
export type { MethodInfo } from './tools/method-metadata.js';
export {
  DEFAULT_MAX_ITEMS,
  DEFAULT_STRING_MAX_LENGTH,
  messageJsonSchema,
  SchemaUnavailable,
} from './tools/tool-schema.js';
export type { JsonSchema } from './tools/tool-schema.js';
