import type { RiskTier } from '@ameide/agent-definition';

/** How a run ended. Every stop has a status of its own; none is an exception to the caller. */
export const AgentRunStatus = {
  Running: 'running',
  Completed: 'completed',
  /** The model kept emitting malformed tool calls past the retry bound, or the model failed. */
  Failed: 'failed',
  MaxSteps: 'max_steps',
  MaxToolCalls: 'max_tool_calls',
  TokenBudget: 'token_budget',
  Timeout: 'timeout',
  Cancelled: 'cancelled',
} as const;
export type AgentRunStatus = (typeof AgentRunStatus)[keyof typeof AgentRunStatus];

/** One tool call of a run, for the audit record. */
export interface ToolCallRecord {
  readonly step: number;
  readonly callId: string;
  readonly tool: string;
  readonly rpc: string;
  readonly risk: RiskTier;
  readonly arguments: unknown;
  /** `result`, `proposed`, `error` (the method refused) or `malformed`. */
  readonly outcome: 'result' | 'proposed' | 'error' | 'malformed';
  readonly proposalId?: string;
  readonly errorCode?: string;
  readonly error?: string;
}

/** What a run streams while it runs. */
export type AgentRunEvent =
  | { readonly type: 'step'; readonly step: number; readonly node: string }
  | { readonly type: 'token'; readonly text: string }
  | { readonly type: 'tool_call'; readonly record: ToolCallRecord }
  | {
      readonly type: 'proposal';
      readonly proposalId: string;
      readonly tool: string;
      readonly rpc: string;
    }
  | {
      readonly type: 'malformed';
      readonly step: number;
      readonly attempt: number;
      readonly error: string;
    }
  | { readonly type: 'status'; readonly status: AgentRunStatus; readonly message: string };

/** The audit record of a run: all that is kept after it ends. */
export interface AgentRunResult {
  readonly runId: string;
  readonly agent: string;
  readonly version: number;
  readonly configHash: string;
  readonly tenantId: string;
  readonly userId: string;
  readonly traceId: string;
  readonly status: AgentRunStatus;
  /** Why it stopped, in a sentence (empty when completed). */
  readonly message: string;
  readonly answer: string;
  readonly steps: number;
  readonly toolCalls: readonly ToolCallRecord[];
  readonly proposals: readonly string[];
  readonly usage: { readonly inputTokens: number; readonly outputTokens: number };
  readonly startedAt: string;
  readonly endedAt: string;
  /** The throwaway tenant a sandbox run ran in (see AgentService.RunSandbox). */
  readonly sandboxTenant?: string;
}
