import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { compileExample, compilePlan } from '../../testing/example-plans.js';
import { startFakeInstance } from '../../testing/fake-instance.js';
import type { ProcessRef, ProcessResult } from '../types.js';

// Escalations across call activities on the fake port, with examples/processes/credit-limit-check.bpmn
// (the called process) and order-credit-limit.bpmn (its caller); examples.int.test.ts runs the
// pair on Temporal.

const childRef: ProcessRef = {
  definitionId: 'def-credit-limit-check',
  name: 'credit-limit-check',
  version: 1,
  planHash: 'h',
};

describe('an escalation the called instance does not catch', () => {
  it('goes to the calling instance, and the thrower waits for it before going on', async () => {
    const i = await startFakeInstance(await compileExample('credit-limit-check'), {
      variables: { amountMinor: 250_000 },
      parent: true,
    });
    await i.port.settle();
    expect(i.port.commands).toContainEqual({
      type: 'escalateToParent',
      code: 'OVER_CREDIT_LIMIT',
      nodeId: 'Throw_OverLimit',
    });
    expect(i.ended()?.end).toMatchObject({ result: { endEvent: 'End_Referred' } });
    expect(i.engine.state.audit).toContainEqual(
      expect.objectContaining({
        event: 'escalated',
        detail: 'OVER_CREDIT_LIMIT not caught, passed to the calling instance',
      }),
    );
  });

  it('stays in a top-level instance (nobody to pass it to)', async () => {
    const i = await startFakeInstance(await compileExample('credit-limit-check'), {
      variables: { amountMinor: 250_000 },
    });
    await i.port.settle();
    expect(i.port.commands.some((c) => c.type === 'escalateToParent')).toBe(false);
    expect(i.engine.state.audit).toContainEqual(
      expect.objectContaining({ event: 'escalated', detail: 'OVER_CREDIT_LIMIT not caught' }),
    );
  });
});

describe("the call activity's escalation boundary", () => {
  /** The caller, its child answered when the test says so. */
  async function caller(source?: string) {
    let finish: (r: ProcessResult) => void = () => undefined;
    const compiled = source
      ? await compilePlan(source)
      : await compileExample('order-credit-limit');
    const i = await startFakeInstance(compiled, {
      variables: { amountMinor: 250_000 },
      world: {
        resolveDefinition: () => childRef,
        executeChild: () =>
          new Promise<ProcessResult>((resolve) => {
            finish = resolve;
          }),
      },
    });
    await i.port.settle();
    const child = i.port.commands.find((c) => c.type === 'child');
    if (child?.type !== 'child') throw new Error('no child started');
    const escalate = async () => {
      i.engine.childEscalated({
        childWorkflowId: child.workflowId,
        code: 'OVER_CREDIT_LIMIT',
        nodeId: 'Throw_OverLimit',
      });
      await i.port.settle();
    };
    const childEnds = async () => {
      finish({ status: 'COMPLETED', variables: {}, terminated: false });
      await i.port.settle();
    };
    return { i, escalate, childEnds };
  }

  it('non-interrupting: the boundary path runs beside the child, then both end', async () => {
    const { i, escalate, childEnds } = await caller();
    await escalate();
    expect(i.engine.state.variables).toMatchObject({ approvalRequested: true });
    expect(i.ended()).toBeUndefined();
    await childEnds();
    expect(i.ended()?.end).toMatchObject({ type: 'completed' });
    expect(i.completed()).toEqual(
      expect.arrayContaining(['Task_RequestApproval', 'End_ApprovalRequested', 'End_Checked']),
    );
  });

  it('interrupting: the child is cancelled and the instance leaves through the boundary', async () => {
    const xml = (
      await readFile(
        new URL('../../../../../examples/processes/order-credit-limit.bpmn', import.meta.url),
        'utf8',
      )
    ).replace('cancelActivity="false"', 'cancelActivity="true"');
    const { i, escalate } = await caller(xml);
    await escalate();
    expect(i.ended()?.end).toMatchObject({
      type: 'completed',
      result: { endEvent: 'End_ApprovalRequested' },
    });
    expect(i.completed()).not.toContain('End_Checked');
    expect(i.engine.state.audit).toContainEqual(
      expect.objectContaining({ event: 'interrupted', nodeId: 'Call_LimitCheck' }),
    );
  });

  it('an escalation from a child whose call activity ended is only logged', async () => {
    const { i, childEnds } = await caller();
    await childEnds();
    i.engine.childEscalated({ childWorkflowId: 'gone', code: 'OVER_CREDIT_LIMIT', nodeId: 'x' });
    expect(i.engine.state.audit.at(-1)).toMatchObject({
      event: 'escalated',
      detail: 'OVER_CREDIT_LIMIT from gone not caught: its call activity no longer runs',
    });
  });
});
