// Running agents
export { createAgentRuntime } from './run/agent-runtime.js';
export type { AgentRunRequest, AgentRuntime, AgentRuntimeOptions } from './run/agent-runtime.js';
export { AgentRunStatus } from './run/run-types.js';
export { proposalIdOf, runIdOf } from './run/run-ids.js';
export type { AgentRunEvent, AgentRunResult, ToolCallRecord } from './run/run-types.js';

// AgentService, proposals
export {
  agentServiceRoutes,
  applyProposal,
  MAX_FIXTURES,
  storeProposalSink,
} from './service/agent-service.js';
export { substituteFixtures } from './sandbox/sandbox-input.js';
export type {
  AgentSandbox,
  SandboxDraft,
  AgentResolver,
  AgentServiceOptions,
  ProposalReview,
  ResolvedAgent,
} from './service/agent-service.js';
export { createAgentStore, ProposalStatus } from './proposals/agent-store.js';
export type { AgentStore, ProposalView } from './proposals/agent-store.js';
export { AGENTS_SCHEMA, migrateAgents } from './proposals/migrate-agents.js';
export {
  agentProposalReviewDefinition,
  PROPOSAL_REVIEW_PROCESS,
} from './proposals/agent-proposal-review.js';

// Tools
export { createSdkToolHost } from './tools/tool-host.js';
export type { CallerTokens, SdkToolHostOptions, ToolHost } from './tools/tool-host.js';
export { allowlistedHost, createToolExecutor } from './tools/tool-executor.js';
export type {
  NewProposal,
  ProposalSink,
  ToolExecutorOptions,
  ToolOutcome,
} from './tools/tool-executor.js';

// Models
export { AgentChatModel, estimateTokens } from './models/agent-chat-model.js';
export type { AgentModelCallOptions, ModelTurn, TurnUsage } from './models/agent-chat-model.js';
export { ScriptedChatModel, scriptedTurnSchema } from './models/scripted-chat-model.js';
export type { ScriptedReply, ScriptedTurn } from './models/scripted-chat-model.js';
export { OpenAiChatModel } from './models/openai-chat-model.js';
export type { OpenAiModelOptions } from './models/openai-chat-model.js';
export {
  defaultLocalModelPath,
  LocalChatModel,
  localModelUnavailable,
  preloadLocalModel,
  SMOLLM2_WHEEL_VERSION,
} from './models/local-chat-model.js';
export type { LocalModelOptions } from './models/local-chat-model.js';
export { idsIn, MAX_ANSWER_LENGTH, parseTurn, turnSchema } from './models/turn-schema.js';
export { createModelFactory } from './models/create-model.js';
export type { ModelFactoryOptions } from './models/create-model.js';
