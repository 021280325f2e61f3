import { create, type JsonObject } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  ProposalSchema,
  ProposalStatus as ProtoProposalStatus,
  RunSchema,
  RunStatus as ProtoRunStatus,
  ToolCallSchema,
  type Proposal,
  type Run,
  type ToolCall,
} from '@ameide/proto';
import type { ProposalStatus, ProposalView } from '../proposals/agent-store.js';
import type { AgentRunResult, AgentRunStatus, ToolCallRecord } from '../run/run-types.js';

const RUN_STATUS: Record<AgentRunStatus, ProtoRunStatus> = {
  running: ProtoRunStatus.RUNNING,
  completed: ProtoRunStatus.COMPLETED,
  failed: ProtoRunStatus.FAILED,
  max_steps: ProtoRunStatus.MAX_STEPS,
  max_tool_calls: ProtoRunStatus.MAX_TOOL_CALLS,
  token_budget: ProtoRunStatus.TOKEN_BUDGET,
  timeout: ProtoRunStatus.TIMEOUT,
  cancelled: ProtoRunStatus.CANCELLED,
};

const PROPOSAL_STATUS: Record<ProposalStatus, ProtoProposalStatus> = {
  pending: ProtoProposalStatus.PENDING,
  approved: ProtoProposalStatus.APPROVED,
  rejected: ProtoProposalStatus.REJECTED,
  applied: ProtoProposalStatus.APPLIED,
  failed: ProtoProposalStatus.FAILED,
};

/** The stored status of a proto ProposalStatus filter (undefined for UNSPECIFIED). */
export function proposalStatusFromProto(s: ProtoProposalStatus): ProposalStatus | undefined {
  return (
    (Object.entries(PROPOSAL_STATUS).find(([, v]) => v === s)?.[0] as ProposalStatus) ?? undefined
  );
}

/** Struct fields are plain JSON objects in protobuf-es; a non-object is wrapped as `{value}`. */
function struct(v: unknown): JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
    ? (v as JsonObject)
    : { value: (v ?? null) as JsonObject };
}

export function toolCallToProto(t: ToolCallRecord): ToolCall {
  return create(ToolCallSchema, {
    step: t.step,
    callId: t.callId,
    tool: t.tool,
    rpc: t.rpc,
    risk: t.risk,
    arguments: struct(t.arguments ?? {}),
    outcome: t.outcome,
    proposalId: t.proposalId ?? '',
    errorCode: t.errorCode ?? '',
    error: t.error ?? '',
  });
}

export function runToProto(r: AgentRunResult): Run {
  return create(RunSchema, {
    runId: r.runId,
    agent: r.agent,
    version: r.version,
    configHash: r.configHash,
    userId: r.userId,
    traceId: r.traceId,
    status: RUN_STATUS[r.status],
    message: r.message,
    answer: r.answer,
    steps: r.steps,
    toolCalls: r.toolCalls.map(toolCallToProto),
    proposalIds: [...r.proposals],
    inputTokens: BigInt(r.usage.inputTokens),
    outputTokens: BigInt(r.usage.outputTokens),
    startedAt: timestampFromDate(new Date(r.startedAt)),
    endedAt: timestampFromDate(new Date(r.endedAt)),
    sandboxTenant: r.sandboxTenant ?? '',
  });
}

export function proposalToProto(p: ProposalView): Proposal {
  return create(ProposalSchema, {
    proposalId: p.proposalId,
    runId: p.runId,
    agent: p.agent,
    agentVersion: p.agentVersion,
    tool: p.tool,
    rpc: p.rpc,
    arguments: struct(p.arguments),
    rationale: p.rationale,
    status: PROPOSAL_STATUS[p.status],
    approverGroup: p.approverGroup,
    reviewInstanceId: p.reviewInstanceId,
    proposedBy: p.proposedBy,
    decidedBy: p.decidedBy,
    comment: p.comment,
    ...(p.result ? { result: struct(p.result) } : {}),
    error: p.error,
    createdAt: timestampFromDate(p.createdAt),
    ...(p.decidedAt ? { decidedAt: timestampFromDate(p.decidedAt) } : {}),
  });
}
