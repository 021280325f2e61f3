import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileExample, compilePlan, EXAMPLES_DIR } from '../../testing/example-plans.js';
import { startFakeInstance } from '../../testing/fake-instance.js';
import { createFakeSales, ORDER_STATUS } from '../../testing/fake-sales.js';
import type { ResumeState } from '../types.js';
import type { InstanceEnd } from './run-instance.js';

// A run of an instance on a fake port: plan loading, continue-as-new at wait states, incidents.

const resumeOf = (end: InstanceEnd | undefined): ResumeState => {
  if (end?.type !== 'continueAsNew') throw new Error(`expected continue-as-new, got ${end?.type}`);
  return end.resume;
};

describe('runInstance', () => {
  it('loads the pinned plan once, before anything else', async () => {
    const plan = await compileExample('credit-check');
    const loaded: string[] = [];
    const i = await startFakeInstance(plan, {
      world: { ...createFakeSales(), loadPlan: (ref) => (loaded.push(ref.planHash), plan.json) },
      variables: { customerId: 'c', currency: 'EUR', amountMinor: 1 },
    });
    expect(loaded).toEqual([plan.hash]);
    expect(i.port.commands[0]).toEqual({
      type: 'activity',
      name: 'loadPlan',
      detail: 'credit-check',
    });
    expect(i.engine.state.audit[0]).toMatchObject({
      event: 'started',
      by: 'alice',
      detail: 'credit-check v1',
    });
  });

  it('continues as new at wait states, carrying variables, open tasks, join arrivals and the id sequence', async () => {
    const sales = createFakeSales();
    const orderId = sales.seedOrder(100);
    const plan = await compileExample('parallel-fulfilment');
    const world = { callService: sales.callService, invokeAgent: () => 'draft' };
    const first = await startFakeInstance(plan, { world, variables: { orderId } });
    const tasks = first.engine.state.openTasks();
    expect(tasks).toHaveLength(2);

    first.port.suggestContinueAsNew = true;
    await first.port.settle();
    const r1 = resumeOf(first.ended()?.end);
    expect(r1.planJson).toBe(plan.json);
    expect(r1.tasks.map((t) => t.nodeId).sort()).toEqual(['Task_Pack', 'Task_Pick']);
    expect(r1.joins).toEqual({ Gateway_Join: { Flow_FromInvoice: 1 } });
    expect(r1.runs).toBe(2);

    // The second run: no plan load, the same tasks; completing one adds a join arrival.
    const second = await startFakeInstance(plan, { world, variables: { orderId }, resume: r1 });
    expect(second.port.commands.some((c) => c.type === 'activity' && c.name === 'loadPlan')).toBe(
      false,
    );
    expect(second.engine.state.openTasks()).toEqual(r1.tasks);
    expect(second.port.attributes.taskCandidates).toEqual(['group:warehouse']);
    await second.complete('Task_Pick');
    second.port.suggestContinueAsNew = true;
    await second.port.settle();
    const r2 = resumeOf(second.ended()?.end);
    expect(r2.joins).toEqual({ Gateway_Join: { Flow_FromInvoice: 1, Flow_FromPick: 1 } });

    const third = await startFakeInstance(plan, { world, variables: { orderId }, resume: r2 });
    await third.complete('Task_Pack');
    expect(third.ended()?.end?.type).toBe('completed');
    const audit = third.engine.state.audit;
    expect(audit.filter((a) => a.event === 'continuedAsNew').map((a) => a.detail)).toEqual([
      'run 2',
      'run 3',
    ]);
    expect(
      audit.filter((a) => a.event === 'completed' && a.nodeId === 'Gateway_Join'),
    ).toHaveLength(1);
    expect(audit.map((a) => a.seq)).toEqual(audit.map((_, n) => n + 1));
    expect(sales.order(orderId)?.status).toBe(ORDER_STATUS.fulfilled);
    // The id sequence went on where the last run left it.
    expect(sales.calls.at(-1)?.idempotencyKey).toBe(
      `tenant:instance-1/Task_MarkFulfilled/${r2.seq + 1}`,
    );
  });

  it('keeps only the newest audit entries across continue-as-new', async () => {
    const i = await startFakeInstance(await compileExample('credit-check'), {
      world: createFakeSales(),
      variables: { customerId: 'c', currency: 'EUR', amountMinor: 500_000 },
      options: { auditKeep: 3 },
    });
    const before = i.engine.state.audit.length;
    i.port.suggestContinueAsNew = true;
    await i.port.settle();
    const r = resumeOf(i.ended()?.end);
    expect(r.audit).toHaveLength(3);
    expect(r.auditDropped).toBe(before - 3);
    expect(r.audit.at(-1)).toEqual(i.engine.state.audit.at(-1));
  });

  it('does not roll over while a token is between wait states', async () => {
    const sales = createFakeSales();
    let answer: (() => void) | undefined;
    const i = await startFakeInstance(await compileExample('credit-check'), {
      world: {
        callService: (c) =>
          new Promise((resolve) => (answer = () => resolve(sales.callService(c)))),
      },
      variables: { customerId: 'c', currency: 'EUR', amountMinor: 500_000 },
    });
    i.port.suggestContinueAsNew = true;
    await i.port.settle();
    expect(i.ended()).toBeUndefined();
    expect(i.engine.quiescent()).toBe(false);
    answer!();
    await i.port.settle();
    answer!();
    await i.port.settle();
    // At the review task every token waits: now it rolls over.
    expect(resumeOf(i.ended()?.end).tasks.map((t) => t.nodeId)).toEqual(['Task_ReviewCredit']);
  });

  it('fails with an incident when a gateway has no flow to take', async () => {
    const plan = await compilePlan(
      readFileSync(`${EXAMPLES_DIR}credit-check.bpmn`, 'utf8')
        .replace(' default="Flow_Refused"', '')
        .replace(
          /(<bpmn:sequenceFlow id="Flow_Refused"[^>]*?)\s*\/>/,
          '$1><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">creditApproved = null</bpmn:conditionExpression></bpmn:sequenceFlow>',
        ),
    );
    const i = await startFakeInstance(plan, {
      world: createFakeSales(),
      variables: { customerId: 'c', currency: 'EUR', amountMinor: 500_000 },
    });
    expect(i.ended()?.end).toMatchObject({ type: 'failed', failureType: 'ProcessIncident' });
    const view = i.engine.view();
    expect(view.status).toBe('FAILED');
    expect(view.errorCode).toBe('ProcessIncident');
    expect(view.errorMessage).toMatch(/no outgoing flow of gateway Gateway_CreditApproved/);
    expect(i.engine.state.audit.at(-1)).toMatchObject({
      event: 'failed',
      nodeId: 'Gateway_CreditApproved',
    });
  });
});
