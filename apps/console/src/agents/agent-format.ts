import { ProposalStatus, RunStatus } from '@ameide/proto';

export const RUN_STATUS_LABEL: Record<RunStatus, string> = {
  [RunStatus.UNSPECIFIED]: '-',
  [RunStatus.RUNNING]: 'running',
  [RunStatus.COMPLETED]: 'completed',
  [RunStatus.FAILED]: 'failed',
  [RunStatus.MAX_STEPS]: 'max steps reached',
  [RunStatus.MAX_TOOL_CALLS]: 'max tool calls reached',
  [RunStatus.TOKEN_BUDGET]: 'token budget spent',
  [RunStatus.TIMEOUT]: 'timed out',
  [RunStatus.CANCELLED]: 'cancelled',
};

export const PROPOSAL_STATUS_LABEL: Record<ProposalStatus, string> = {
  [ProposalStatus.UNSPECIFIED]: '-',
  [ProposalStatus.PENDING]: 'pending',
  [ProposalStatus.APPROVED]: 'approved',
  [ProposalStatus.REJECTED]: 'rejected',
  [ProposalStatus.APPLIED]: 'applied',
  [ProposalStatus.FAILED]: 'failed',
};

/** What the run view needs of a tool call (kept to plain fields so it is unit-testable). */
export interface ToolCallView {
  readonly step: number;
  readonly outcome: string;
  readonly proposalId: string;
  readonly errorCode: string;
  readonly error: string;
}

/** A tool call's arguments (a Struct) on one line; `{}` when there are none. */
export function formatArguments(args: unknown): string {
  if (args === undefined || args === null) return '{}';
  return JSON.stringify(args);
}

/**
 * How a tool call ended, for a person: `result`, `proposed (<proposal>)`, or the error the
 * method (or the runtime, for a malformed call) answered with its code.
 */
export function toolCallOutcome(call: ToolCallView): string {
  const error = [call.errorCode, call.error].filter(Boolean).join(': ');
  switch (call.outcome) {
    case 'proposed':
      return call.proposalId ? `proposed (${call.proposalId})` : 'proposed';
    case 'error':
      return error ? `error — ${error}` : 'error';
    case 'malformed':
      return error ? `malformed — ${error}` : 'malformed';
    default:
      return call.outcome || '-';
  }
}

/**
 * The steps of a run with the tool calls made in each, in order (steps are numbered from 1;
 * a step without calls is one where the model answered or was asked to correct itself).
 */
export function stepsOf<T extends { readonly step: number }>(
  steps: number,
  toolCalls: readonly T[],
): { step: number; calls: T[] }[] {
  const last = Math.max(steps, ...toolCalls.map((c) => c.step), 0);
  const out = Array.from({ length: last }, (_, i) => ({ step: i + 1, calls: [] as T[] }));
  for (const c of toolCalls) if (c.step >= 1) out[c.step - 1]!.calls.push(c);
  return out;
}

/** Whether a person may still approve or reject the proposal. */
export const isDecidable = (status: ProposalStatus) => status === ProposalStatus.PENDING;

/**
 * Whether the run view should read again shortly: the run still runs, or an approved
 * proposal is still being applied by its review process (without one, approved is final).
 */
export function isSettling(
  run: RunStatus,
  proposals: readonly { readonly status: ProposalStatus; readonly reviewInstanceId: string }[],
): boolean {
  return (
    run === RunStatus.RUNNING ||
    proposals.some((p) => p.status === ProposalStatus.APPROVED && p.reviewInstanceId !== '')
  );
}
