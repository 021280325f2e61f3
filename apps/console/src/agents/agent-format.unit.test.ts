import { describe, expect, it } from 'vitest';
import { ProposalStatus, RunStatus } from '@ameide/proto';
import {
  PROPOSAL_STATUS_LABEL,
  RUN_STATUS_LABEL,
  formatArguments,
  isDecidable,
  isSettling,
  stepsOf,
  toolCallOutcome,
} from './agent-format.js';

const call = { step: 1, outcome: 'result', proposalId: '', errorCode: '', error: '' };

describe('agent run formatting', () => {
  it('labels every run and proposal status', () => {
    for (const v of Object.values(RunStatus).filter((v): v is RunStatus => typeof v === 'number'))
      expect(RUN_STATUS_LABEL[v]).toBeTruthy();
    for (const v of Object.values(ProposalStatus).filter(
      (v): v is ProposalStatus => typeof v === 'number',
    ))
      expect(PROPOSAL_STATUS_LABEL[v]).toBeTruthy();
    expect(RUN_STATUS_LABEL[RunStatus.MAX_TOOL_CALLS]).toBe('max tool calls reached');
    expect(PROPOSAL_STATUS_LABEL[ProposalStatus.APPLIED]).toBe('applied');
  });

  it('shows arguments as one line of JSON', () => {
    expect(formatArguments({ customerId: 'c-1', currency: 'EUR' })).toBe(
      '{"customerId":"c-1","currency":"EUR"}',
    );
    expect(formatArguments(undefined)).toBe('{}');
    expect(formatArguments({ lines: [{ sku: 'A', qty: 2 }] })).toBe(
      '{"lines":[{"sku":"A","qty":2}]}',
    );
  });

  it('says how a tool call ended, with the proposal or the error it answered', () => {
    expect(toolCallOutcome(call)).toBe('result');
    expect(toolCallOutcome({ ...call, outcome: 'proposed', proposalId: 'p-1' })).toBe(
      'proposed (p-1)',
    );
    expect(toolCallOutcome({ ...call, outcome: 'proposed' })).toBe('proposed');
    expect(
      toolCallOutcome({
        ...call,
        outcome: 'error',
        errorCode: 'not_found',
        error: 'customer c-9 not found',
      }),
    ).toBe('error — not_found: customer c-9 not found');
    expect(toolCallOutcome({ ...call, outcome: 'error' })).toBe('error');
    expect(toolCallOutcome({ ...call, outcome: 'malformed', error: 'unknown tool x' })).toBe(
      'malformed — unknown tool x',
    );
    expect(toolCallOutcome({ ...call, outcome: '' })).toBe('-');
  });

  it('groups tool calls by step, keeping steps without calls', () => {
    const calls = [
      { ...call, step: 1, tool: 'a' },
      { ...call, step: 1, tool: 'b' },
      { ...call, step: 2, tool: 'c' },
    ];
    expect(stepsOf(3, calls).map((s) => [s.step, s.calls.map((c) => c.tool)])).toEqual([
      [1, ['a', 'b']],
      [2, ['c']],
      [3, []],
    ]);
    // A call numbered past the step count (a run cut off mid-step) still shows.
    expect(stepsOf(1, [{ ...call, step: 2, tool: 'x' }]).map((s) => s.calls.length)).toEqual([
      0, 1,
    ]);
    expect(stepsOf(0, [])).toEqual([]);
  });

  it('lets only pending proposals be decided', () => {
    expect(isDecidable(ProposalStatus.PENDING)).toBe(true);
    for (const s of [
      ProposalStatus.APPROVED,
      ProposalStatus.REJECTED,
      ProposalStatus.APPLIED,
      ProposalStatus.FAILED,
    ])
      expect(isDecidable(s)).toBe(false);
  });

  it('follows a running run and an approved proposal its review is applying', () => {
    const p = (status: ProposalStatus, reviewInstanceId = 'r-1') => ({ status, reviewInstanceId });
    expect(isSettling(RunStatus.RUNNING, [])).toBe(true);
    expect(isSettling(RunStatus.COMPLETED, [p(ProposalStatus.PENDING)])).toBe(false);
    expect(isSettling(RunStatus.COMPLETED, [p(ProposalStatus.APPROVED)])).toBe(true);
    expect(isSettling(RunStatus.COMPLETED, [p(ProposalStatus.APPROVED, '')])).toBe(false);
    expect(isSettling(RunStatus.FAILED, [p(ProposalStatus.APPLIED)])).toBe(false);
  });
});
