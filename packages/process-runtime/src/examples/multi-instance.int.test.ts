import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { workflowIdOf } from '../client/instance-id.js';
import type { Caller, InstanceDetails } from '../client/process-client.js';
import { compileExample } from '../testing/example-plans.js';
import { answerApprovals, orderBatchVariables } from '../testing/example-scenarios.js';
import {
  eventually,
  startRuntimeFixture,
  type RuntimeFixture,
} from '../testing/runtime-fixture.js';

// Multi-instance on the real Temporal dev server: examples/processes/order-batch.bpmn (a parallel
// multi-instance subprocess bounded to 25 at once, parallel user tasks with a completion
// condition, a parallel and a sequential multi-instance service task) to each end state, with
// 0, 1, 3 and 500 elements, and across continue-as-new.
let rt: RuntimeFixture;
const fixtures: RuntimeFixture[] = [];
beforeAll(async () => {
  rt = await startRuntimeFixture(inject('temporalAddress'), 'multi-instance');
  fixtures.push(rt);
  rt.publish('order-batch', 1, await compileExample('order-batch'));
});
afterAll(async () => {
  for (const f of fixtures) await f.close();
});

async function startBatch(fx: RuntimeFixture, caller: Caller, variables: Record<string, unknown>) {
  return (
    await fx.processes.start(caller, {
      definition: { name: 'order-batch' },
      version: 'latest',
      variables,
    })
  ).instanceId;
}
const finished = (fx: RuntimeFixture, caller: Caller, id: string) =>
  eventually(
    () => fx.processes.get(caller, id),
    (d) => d.status !== 'RUNNING' && d.state !== undefined && d.state.status !== 'RUNNING',
  );
const rpcs = (fx: RuntimeFixture, tenant: string) =>
  fx.sales.callsOf(tenant).map((c) => c.rpc.split('/').at(-1));
const endOf = (d: InstanceDetails) => d.state?.audit.at(-1);

/** Each created order holds exactly the line of its index. */
function expectOneOrderPerLine(fx: RuntimeFixture, tenant: string, d: InstanceDetails) {
  const lines = d.state?.variables['lines'] as Array<{ sku: string }>;
  const orderIds = d.state?.variables['orderIds'] as string[];
  expect(orderIds).toHaveLength(lines.length);
  expect(new Set(orderIds).size).toBe(lines.length);
  expect(orderIds.map((id) => fx.sales.order(tenant, id)?.lines.map((l) => l.sku))).toEqual(
    lines.map((l) => [l.sku]),
  );
}

describe('order-batch (multi-instance)', () => {
  it('two approvals complete the vote, the third task is withdrawn, every order is confirmed', async () => {
    const c = rt.caller('mi-ok', 'ann');
    const id = await startBatch(rt, c, orderBatchVariables(3));
    await answerApprovals(rt, 'mi-ok', id, [
      ['ann', true],
      ['cid', true],
    ]);
    const d = await finished(rt, c, id);
    expect(d.status).toBe('COMPLETED');
    expect(endOf(d)).toMatchObject({ event: 'finished', nodeId: 'EndEvent_Confirmed' });
    expect(d.state?.variables['approvals']).toEqual([true, null, true]);
    expect(d.state?.variables).not.toHaveProperty('approver');
    expect(d.state?.userTasks).toEqual([]);
    expect(d.state?.audit.filter((a) => a.event === 'taskCancelled')).toHaveLength(1);
    expect(d.state?.audit.find((a) => a.event === 'completionConditionMet')).toMatchObject({
      nodeId: 'Task_Approve',
    });
    expectOneOrderPerLine(rt, 'mi-ok', d);
    for (const orderId of d.state?.variables['orderIds'] as string[])
      expect(rt.sales.order('mi-ok', orderId)?.status).toBe(2); // CONFIRMED
  });

  it('one rejection completes the vote at once and the orders are cancelled one after another', async () => {
    const c = rt.caller('mi-no', 'bob');
    const id = await startBatch(rt, c, orderBatchVariables(2));
    await answerApprovals(rt, 'mi-no', id, [['bob', false]]);
    const d = await finished(rt, c, id);
    expect(endOf(d)).toMatchObject({ nodeId: 'EndEvent_Rejected' });
    expect(d.state?.variables['approvals']).toEqual([null, false, null]);
    const orderIds = d.state?.variables['orderIds'] as string[];
    const cancelled = rt.sales
      .callsOf('mi-no')
      .filter((x) => x.rpc.endsWith('CancelOrder'))
      .map((x) => (x.request as { orderId: string }).orderId);
    expect(cancelled).toEqual(orderIds);
    for (const orderId of orderIds) expect(rt.sales.order('mi-no', orderId)?.status).toBe(5);
  });

  it('no lines: the multi-instance activities complete at once with empty output collections', async () => {
    const c = rt.caller('mi-0', 'ann');
    const id = await startBatch(rt, c, orderBatchVariables(0, ['ann']));
    await answerApprovals(rt, 'mi-0', id, [['ann', true]]);
    const d = await finished(rt, c, id);
    expect(endOf(d)).toMatchObject({ nodeId: 'EndEvent_Confirmed' });
    expect(d.state?.variables['orderIds']).toEqual([]);
    expect(rpcs(rt, 'mi-0')).toEqual([]);
  });

  it('one line, one approver', async () => {
    const c = rt.caller('mi-1', 'ann');
    const id = await startBatch(rt, c, orderBatchVariables(1, ['ann']));
    await answerApprovals(rt, 'mi-1', id, [['ann', true]]);
    const d = await finished(rt, c, id);
    expect(endOf(d)).toMatchObject({ nodeId: 'EndEvent_Confirmed' });
    expect(rpcs(rt, 'mi-1')).toEqual(['CreateOrder', 'AddOrderLine', 'ConfirmOrder']);
    expectOneOrderPerLine(rt, 'mi-1', d);
  });

  it(
    '500 lines: 500 subprocess instances, at most 25 at once, in line order',
    { timeout: 600_000 },
    async () => {
      const c = rt.caller('mi-500', 'ann');
      const id = await startBatch(rt, c, orderBatchVariables(500, ['ann', 'bob']));
      const slow = 500_000;
      await answerApprovals(
        rt,
        'mi-500',
        id,
        [
          ['ann', true],
          ['bob', true],
        ],
        slow,
      );
      const d = await eventually(
        () => rt.processes.get(c, id),
        (x) => x.status !== 'RUNNING' && x.state?.status !== 'RUNNING',
        slow,
      );
      expect(endOf(d)).toMatchObject({ nodeId: 'EndEvent_Confirmed' });
      expectOneOrderPerLine(rt, 'mi-500', d);
      const calls = rpcs(rt, 'mi-500');
      expect(calls.filter((r) => r === 'CreateOrder')).toHaveLength(500);
      expect(calls.filter((r) => r === 'ConfirmOrder')).toHaveLength(500);
      // The bound: never more than 25 orders created and not yet given their line.
      let open = 0;
      let most = 0;
      for (const r of calls) {
        if (r === 'CreateOrder') most = Math.max(most, ++open);
        if (r === 'AddOrderLine') open--;
      }
      expect(most).toBeLessThanOrEqual(25);
      expect(most).toBeGreaterThan(1);
    },
  );

  it(
    'continues as new between instances and finishes the collection in the next runs',
    { timeout: 300_000 },
    async () => {
      const can = await startRuntimeFixture(inject('temporalAddress'), 'multi-instance-can', {
        instanceOptions: { continueAsNewAfterEvents: 80 },
      });
      fixtures.push(can);
      can.publish('order-batch', 1, await compileExample('order-batch'));
      const c = can.caller('mi-can', 'ann');
      const id = await startBatch(can, c, orderBatchVariables(30, ['ann']));
      const handle = can.temporal.workflow.getHandle(workflowIdOf('mi-can', id));
      const firstRun = (await handle.describe()).runId;
      await answerApprovals(can, 'mi-can', id, [['ann', true]]);
      const d = await finished(can, c, id);
      expect(d.status).toBe('COMPLETED');
      expect((await handle.describe()).runId).not.toBe(firstRun);
      expect(d.state?.audit.filter((a) => a.event === 'continuedAsNew').length).toBeGreaterThan(0);
      expectOneOrderPerLine(can, 'mi-can', d);
      expect(rpcs(can, 'mi-can').filter((r) => r === 'CreateOrder')).toHaveLength(30);
    },
  );
});
