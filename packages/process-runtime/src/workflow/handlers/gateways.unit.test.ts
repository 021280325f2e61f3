import { describe, expect, it } from 'vitest';
import { compileExample } from '../../testing/example-plans.js';
import { startFakeInstance } from '../../testing/fake-instance.js';
import { createFakeSales, ORDER_STATUS } from '../../testing/fake-sales.js';

// Gateway semantics on a fake port, with the examples' plans.

describe('exclusive gateway', () => {
  it('takes the first true flow; otherwise the default flow', async () => {
    const plan = await compileExample('credit-check');
    const approved = await startFakeInstance(plan, {
      world: createFakeSales(),
      variables: { customerId: 'c-9', currency: 'EUR', amountMinor: 500 },
    });
    expect(approved.ended()?.end?.type).toBe('completed');
    expect(approved.engine.state.variables).toMatchObject({
      creditApproved: true,
      customerName: 'Customer c-9',
    });
    expect(approved.completed()).not.toContain('Task_ReviewCredit');

    const refused = await startFakeInstance(plan, {
      world: createFakeSales(),
      variables: { customerId: 'c-9', currency: 'EUR', amountMinor: 500_000 },
    });
    expect(refused.engine.state.openTasks().map((t) => t.nodeId)).toEqual(['Task_ReviewCredit']);
    expect(refused.completed()).toContain('Gateway_CreditApproved');
    await refused.complete('Task_ReviewCredit', { approved: true });
    expect(refused.engine.state.variables['creditApproved']).toBe(true);
    expect(refused.completed()).toEqual(
      expect.arrayContaining(['Task_ReviewCredit', 'Gateway_Decided', 'EndEvent_CreditDecided']),
    );
  });
});

describe('parallel gateway', () => {
  it('splits into every branch and joins once a token arrived on each incoming flow', async () => {
    const sales = createFakeSales();
    const orderId = sales.seedOrder(300);
    const i = await startFakeInstance(await compileExample('parallel-fulfilment'), {
      world: { callService: (c) => sales.callService(c), invokeAgent: () => 'draft' },
      variables: { orderId },
    });
    // The agent branch is done and waits at the join; both user tasks are open.
    expect(
      i.engine.state
        .openTasks()
        .map((t) => t.nodeId)
        .sort(),
    ).toEqual(['Task_Pack', 'Task_Pick']);
    expect(i.engine.state.variables['invoiceDraft']).toBe('draft');
    const joinTokens = () =>
      i.engine.tokenViews().filter((t) => t.waitingFor === 'join' && t.nodeId === 'Gateway_Join');
    expect(joinTokens()).toHaveLength(1);

    await i.complete('Task_Pick');
    expect(joinTokens()).toHaveLength(2);
    expect(i.completed()).not.toContain('Gateway_Join');
    expect(i.ended()).toBeUndefined();

    await i.complete('Task_Pack');
    expect(joinTokens()).toHaveLength(0);
    expect(i.completed().filter((n) => n === 'Gateway_Join')).toHaveLength(1);
    expect(sales.methods()).toEqual(['GetOrder', 'MarkOrderFulfilled']);
    expect(sales.order(orderId)?.status).toBe(ORDER_STATUS.fulfilled);
    expect(i.ended()?.end).toMatchObject({ type: 'completed' });
  });
});

describe('inclusive gateway', () => {
  it('takes every true flow and joins when no other token can still arrive', async () => {
    const sales = createFakeSales();
    const orderId = sales.seedOrder(150_000);
    const agents: string[] = [];
    const i = await startFakeInstance(await compileExample('order-notifications'), {
      world: {
        callService: (c) => sales.callService(c),
        invokeAgent: (req) => agents.push(req.nodeId),
      },
      variables: { orderId, notifyByEmail: true },
    });
    // Email is done and waits at the join; the call (a user task) can still arrive.
    expect(agents).toEqual(['Task_Email']);
    expect(i.completed()).toContain('Task_Email');
    expect(
      i.engine
        .tokenViews()
        .map((t) => `${t.nodeId}:${t.waitingFor ?? ''}`)
        .sort(),
    ).toEqual(['Gateway_Joined:join', 'Task_Call:userTask']);
    // A token waiting at an inclusive join is not data continue-as-new could carry.
    expect(i.engine.quiescent()).toBe(false);

    await i.complete('Task_Call');
    expect(i.completed().filter((n) => n === 'Gateway_Joined')).toHaveLength(1);
    expect(i.completed()).not.toContain('Task_Note');
    expect(i.ended()?.end?.type).toBe('completed');
  });

  it('takes the default flow when no condition is true, and a one-token join fires at once', async () => {
    const sales = createFakeSales();
    const orderId = sales.seedOrder(10);
    const i = await startFakeInstance(await compileExample('order-notifications'), {
      world: sales,
      variables: { orderId, notifyByEmail: false },
    });
    expect(i.engine.state.variables['note']).toBe(`order ${orderId} shipped, no channel selected`);
    expect(i.completed()).toEqual(
      expect.arrayContaining(['Task_Note', 'Gateway_Joined', 'EndEvent_Notified']),
    );
    expect(i.completed()).not.toContain('Task_Email');
    expect(i.ended()?.end?.type).toBe('completed');
  });
});
