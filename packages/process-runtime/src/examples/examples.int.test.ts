import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createScriptedAgentInvoker } from '../activities/agent-invoker.js';
import type { Caller, InstanceDetails } from '../client/process-client.js';
import { compileExample } from '../testing/example-plans.js';
import {
  armed,
  correlate,
  orderShipmentPayment,
  publishExamples,
  runOrderFulfilment,
  runOrderReview,
  RECALL_NOTICE_TENANTS,
  runLinkReview,
  runCreditLimit,
  runOrderIntake,
  runRecallNotice,
  runRiskWatch,
  runShipmentDispatch,
  startRecallWatch,
  throwSignalBy,
} from '../testing/example-scenarios.js';
import {
  eventually,
  startRuntimeFixture,
  type RuntimeFixture,
} from '../testing/runtime-fixture.js';

// Every example process of examples/processes/ to its expected end state, with its audit trail.
let rt: RuntimeFixture;
const agentCalls: string[] = [];
beforeAll(async () => {
  rt = await startRuntimeFixture(inject('temporalAddress'), 'examples', {
    agents: createScriptedAgentInvoker((req) => {
      agentCalls.push(`${req.agent}:${req.nodeId}`);
      return `${req.agent} did ${req.nodeId}`;
    }),
  });
  // The same plans (versions, shortened timers) the recorded histories ran.
  await publishExamples(rt);
});
afterAll(() => rt?.close());

async function start(
  caller: Caller,
  name: string,
  variables: Record<string, unknown>,
  version: number | 'latest' = 'latest',
) {
  const { instanceId } = await rt.processes.start(caller, {
    definition: { name },
    version,
    variables,
  });
  return instanceId;
}
const finished = (caller: Caller, id: string) =>
  eventually(
    () => rt.processes.get(caller, id),
    (d) => d.status !== 'RUNNING' && d.state !== undefined && d.state.status !== 'RUNNING',
  );
const taskAt = async (caller: Caller, id: string, nodeId: string) =>
  (
    await eventually(
      () => rt.processes.listUserTasks(caller, { instanceId: id }),
      (ts) => ts.some((t) => t.nodeId === nodeId),
    )
  ).find((t) => t.nodeId === nodeId)!;
const completed = (d: InstanceDetails) =>
  (d.state?.audit ?? []).filter((a) => a.event === 'completed').map((a) => a.nodeId);
const rpcs = (tenant: string) => rt.sales.callsOf(tenant).map((c) => c.rpc);

describe('examples/processes', () => {
  it('order-to-cash: service tasks as the starting user, approval, fulfilled', async () => {
    const c = rt.caller('t-o2c', 'alice', ['sales']);
    const id = await start(c, 'order-to-cash', {
      customerId: 'c-1',
      currency: 'EUR',
      paymentReference: 'PAY-1',
      quantity: 2,
      sku: 'S',
      unitPriceMinor: 1250,
    });
    const task = await taskAt(c, id, 'Task_ApproveOrder');
    expect(task.candidateGroups).toEqual(['sales']);
    await rt.processes.completeUserTask(c, id, task.taskId, { approved: true });
    const d = await finished(c, id);
    expect(d.status).toBe('COMPLETED');
    expect(d.state?.variables).toMatchObject({ amountMinor: 2500, approved: true });
    expect(rpcs('t-o2c')).toEqual([
      'CreateOrder',
      'AddOrderLine',
      'ConfirmOrder',
      'RecordPayment',
      'MarkOrderFulfilled',
    ]);
    expect(
      rt.sales.callsOf('t-o2c').every((x) => x.userId === 'alice' && x.idempotencyKey !== null),
    ).toBe(true);
    expect(completed(d)).toEqual([
      'Task_CreateOrder',
      'Task_AddOrderLine',
      'Task_ConfirmOrder',
      'Task_ApproveOrder',
      'Task_RecordPayment',
      'Task_MarkFulfilled',
      'EndEvent_OrderFulfilled',
    ]);
    expect(d.state?.audit.find((a) => a.event === 'taskCompleted')?.by).toBe('alice');
  });

  it('credit-check: approved credit skips the review; refused credit waits for finance', async () => {
    const c = rt.caller('t-credit', 'fin', ['finance']);
    const ok = await start(c, 'credit-check', {
      customerId: 'c-9',
      currency: 'EUR',
      amountMinor: 500,
    });
    const d1 = await finished(c, ok);
    expect(d1.state?.variables).toMatchObject({
      creditApproved: true,
      customerName: 'Customer c-9',
    });
    expect(completed(d1)).not.toContain('Task_ReviewCredit');
    const refused = await start(c, 'credit-check', {
      customerId: 'c-9',
      currency: 'EUR',
      amountMinor: 500_000,
    });
    const task = await taskAt(c, refused, 'Task_ReviewCredit');
    await rt.processes.completeUserTask(c, refused, task.taskId, { approved: true });
    const d2 = await finished(c, refused);
    expect(d2.state?.variables['creditApproved']).toBe(true);
    expect(completed(d2)).toContain('Task_ReviewCredit');
  });

  it('daily-order-review: timer-start process runs when started, with an agent task', async () => {
    const c = rt.caller('t-daily', 'sam', ['sales']);
    rt.sales.seedOrder('t-daily', 700);
    const id = await start(c, 'daily-order-review', {});
    const task = await taskAt(c, id, 'Task_Review');
    await rt.processes.completeUserTask(c, id, task.taskId, {});
    const d = await finished(c, id);
    expect(d.state?.variables['summary']).toBe('sales-assistant did Task_Summarize');
    expect((d.state?.variables['confirmedOrders'] as unknown[]).length).toBe(1);
  });

  it('lead-to-order: an unqualified lead ends rejected without an order', async () => {
    const c = rt.caller('t-lead', 'sam', ['sales']);
    const id = await start(c, 'lead-to-order', {
      currency: 'EUR',
      leadEmail: 'a@b.c',
      leadName: 'Ann',
    });
    const task = await taskAt(c, id, 'Task_QualifyLead');
    await rt.processes.completeUserTask(c, id, task.taskId, { qualified: false });
    const d = await finished(c, id);
    expect(d.state?.audit.at(-1)).toMatchObject({
      event: 'finished',
      nodeId: 'EndEvent_LeadRejected',
    });
    expect(rpcs('t-lead')).toEqual(['CreateCustomer']);
  });

  it('order-approval-escalation: reminder (non-interrupting) then expiry (interrupting) cancels the order', async () => {
    const c = rt.caller('t-esc', 'sam', ['sales']);
    const orderId = rt.sales.seedOrder('t-esc', 900, 1);
    const id = await start(c, 'order-approval-escalation', { orderId }, 1);
    const d = await finished(c, id);
    expect(d.status).toBe('COMPLETED');
    const audit = d.state?.audit ?? [];
    const fired = audit.filter((a) => a.event === 'boundaryFired').map((a) => a.nodeId);
    expect(fired).toEqual(['Boundary_Remind', 'Boundary_Expired']);
    expect(audit).toContainEqual(
      expect.objectContaining({ event: 'interrupted', nodeId: 'Task_Approve' }),
    );
    expect(audit).toContainEqual(
      expect.objectContaining({ event: 'taskCancelled', nodeId: 'Task_Approve' }),
    );
    expect(completed(d)).toEqual(
      expect.arrayContaining([
        'Task_RemindManager',
        'EndEvent_Reminded',
        'Task_CancelExpired',
        'EndEvent_Expired',
      ]),
    );
    expect(completed(d)).not.toContain('Task_Approve');
    expect(rt.sales.order('t-esc', orderId)?.status).toBe(5); // CANCELLED
    expect(agentCalls).toContain('sales-assistant:Task_RemindManager');
  });

  it('order-approval-escalation: approval in time confirms the order', async () => {
    const c = rt.caller('t-esc2', 'sam', ['sales']);
    const orderId = rt.sales.seedOrder('t-esc2', 900, 1);
    const id = await start(c, 'order-approval-escalation', { orderId }, 2);
    const task = await taskAt(c, id, 'Task_Approve');
    await rt.processes.completeUserTask(c, id, task.taskId, { approved: true, comment: 'ok' });
    const d = await finished(c, id);
    expect(completed(d)).toEqual(expect.arrayContaining(['Task_Confirm', 'EndEvent_Confirmed']));
    expect(d.state?.audit.some((a) => a.event === 'boundaryFired')).toBe(false);
    expect(rt.sales.order('t-esc2', orderId)?.status).toBe(2); // CONFIRMED
  });

  it('order-lines-subprocess: the embedded subprocess loops over the lines, then confirms', async () => {
    const c = rt.caller('t-sub');
    const lines = [1, 2, 3].map((i) => ({ sku: `S${i}`, quantity: i, unitPriceMinor: 100 }));
    const id = await start(c, 'order-lines-subprocess', {
      customerId: 'c',
      currency: 'EUR',
      remainingLines: lines,
    });
    const d = await finished(c, id);
    expect(d.status).toBe('COMPLETED');
    expect(rpcs('t-sub')).toEqual([
      'CreateOrder',
      'AddOrderLine',
      'AddOrderLine',
      'AddOrderLine',
      'ConfirmOrder',
    ]);
    expect(d.state?.variables['remainingLines']).toEqual([]);
    expect(completed(d)).toEqual(
      expect.arrayContaining(['EndEvent_Lines', 'SubProcess_AddLines', 'EndEvent_Confirmed']),
    );
  });

  it('order-notifications: the inclusive join waits for every taken branch', async () => {
    const c = rt.caller('t-notify', 'sam', ['sales']);
    const orderId = rt.sales.seedOrder('t-notify', 150_000);
    const id = await start(c, 'order-notifications', { orderId, notifyByEmail: true });
    const task = await taskAt(c, id, 'Task_Call');
    // The e-mail branch is done; the join still waits for the call.
    const waiting = await eventually(
      () => rt.processes.get(c, id),
      (d) =>
        (d.state?.audit ?? []).some((a) => a.event === 'completed' && a.nodeId === 'Task_Email'),
    );
    expect(waiting.status).toBe('RUNNING');
    expect(waiting.state?.tokens.map((t) => t.nodeId).sort()).toEqual([
      'Gateway_Joined',
      'Task_Call',
    ]);
    await rt.processes.completeUserTask(c, id, task.taskId, {});
    const d = await finished(c, id);
    expect(completed(d).filter((n) => n === 'Gateway_Joined')).toHaveLength(1);
    expect(completed(d)).not.toContain('Task_Note');
    const small = rt.sales.seedOrder('t-notify', 10);
    const d2 = await finished(
      c,
      await start(c, 'order-notifications', { orderId: small, notifyByEmail: false }),
    );
    expect(d2.state?.variables['note']).toBe(`order ${small} shipped, no channel selected`);
  });

  it('order-with-credit-check: the call activity runs credit-check v1 as a child pinned to its hash', async () => {
    const c = rt.caller('t-call');
    const id = await start(c, 'order-with-credit-check', {
      customerId: 'c',
      currency: 'EUR',
      quantity: 1,
      sku: 'S',
      unitPriceMinor: 100,
    });
    const d = await finished(c, id);
    expect(d.state?.variables['creditApproved']).toBe(true);
    expect(completed(d)).toEqual(
      expect.arrayContaining(['Call_CreditCheck', 'Task_Confirm', 'EndEvent_Confirmed']),
    );
    const children = await rt.processes.list(c, { definition: 'credit-check' });
    expect(children.instances).toHaveLength(1);
    const child = await rt.processes.get(c, children.instances[0]!.instanceId);
    expect(child.state?.definition).toMatchObject({
      name: 'credit-check',
      version: 1,
      planHash: (await compileExample('credit-check')).hash,
    });
    expect(rpcs('t-call')).toEqual([
      'CreateOrder',
      'AddOrderLine',
      'GetCustomer',
      'CheckCredit',
      'ConfirmOrder',
    ]);
  });

  it('parallel-fulfilment: split into an agent and two user tasks, join, fulfil', async () => {
    const c = rt.caller('t-par', 'wendy', ['warehouse']);
    const orderId = rt.sales.seedOrder('t-par', 300);
    const id = await start(c, 'parallel-fulfilment', { orderId });
    const pick = await taskAt(c, id, 'Task_Pick');
    const pack = await taskAt(c, id, 'Task_Pack');
    await rt.processes.completeUserTask(c, id, pick.taskId, {});
    const mid = await rt.processes.get(c, id);
    expect(mid.status).toBe('RUNNING');
    await rt.processes.completeUserTask(c, id, pack.taskId, {});
    const d = await finished(c, id);
    expect(rt.sales.order('t-par', orderId)?.status).toBe(4);
    expect(d.state?.variables['invoiceDraft']).toBe('invoice-drafter did Task_Invoice');
    expect(completed(d).filter((n) => n === 'Gateway_Join')).toHaveLength(1);
  });

  // The sales double refuses what the sales domain refuses (line changes after confirmation, a
  // second cancel): the saga's only compensation is CancelOrder for the created order.
  it('payment-saga: a declined payment is caught by the error boundary and the order is cancelled', async () => {
    const c = rt.caller('t-saga');
    const vars = {
      currency: 'EUR',
      customerId: 'c',
      paymentReference: 'DECLINE-1',
      quantity: 1,
      sku: 'S',
      unitPriceMinor: 400,
    };
    const d = await finished(c, await start(c, 'payment-saga', vars));
    expect(d.status).toBe('COMPLETED');
    expect(rpcs('t-saga')).toEqual([
      'CreateOrder',
      'AddOrderLine',
      'ConfirmOrder',
      'RecordPayment',
      'CancelOrder',
    ]);
    const audit = d.state?.audit ?? [];
    expect(audit).toContainEqual(
      expect.objectContaining({ event: 'errorCaught', nodeId: 'Boundary_PaymentDeclined' }),
    );
    expect(audit.filter((a) => a.event === 'compensated').map((a) => a.nodeId)).toEqual([
      'Task_CreateOrder',
    ]);
    expect(completed(d)).toContain('EndEvent_Compensate');
    const order = rt.sales.order('t-saga', d.state?.variables['orderId'] as string);
    expect(order?.status).toBe(5); // CANCELLED
    expect(order?.lines).toHaveLength(1);
    const ok = await finished(
      c,
      await start(c, 'payment-saga', { ...vars, paymentReference: 'PAY-2' }),
    );
    expect(completed(ok)).toContain('EndEvent_Paid');
  });

  it('payment-saga: cancelling an instance compensates what it completed', async () => {
    const c = rt.caller('t-cancel');
    rt.sales.failNext('RecordPayment', 1000);
    const vars = {
      currency: 'EUR',
      customerId: 'c',
      paymentReference: 'PAY-3',
      quantity: 1,
      sku: 'S',
      unitPriceMinor: 400,
    };
    const id = await start(c, 'payment-saga', vars);
    await eventually(
      () => Promise.resolve(rpcs('t-cancel')),
      (r) => r.includes('RecordPayment'),
    );
    await rt.processes.cancel(c, id);
    const d = await finished(c, id);
    rt.sales.failNext('RecordPayment', 0);
    expect(d.status).toBe('CANCELLED');
    expect(rpcs('t-cancel').filter((r) => r !== 'RecordPayment')).toEqual([
      'CreateOrder',
      'AddOrderLine',
      'ConfirmOrder',
      'CancelOrder',
    ]);
    const cancelled = rt.sales.callsOf('t-cancel', 'CancelOrder')[0]!.request as {
      orderId: string;
    };
    expect(rt.sales.order('t-cancel', cancelled.orderId)?.status).toBe(5);
    expect(d.state?.audit.filter((a) => a.event === 'compensated').map((a) => a.nodeId)).toEqual([
      'Task_CreateOrder',
    ]);
  });

  it('payment-wait: the message correlated by order id wins the event-based gateway', async () => {
    const c = rt.caller('t-msg');
    const orderId = rt.sales.seedOrder('t-msg', 800, 1);
    const id = await start(c, 'payment-wait', { orderId, currency: 'EUR' }, 1);
    const delivered = await eventually(
      () =>
        rt.processes.correlateMessage(c, {
          name: 'PaymentReceived',
          correlationKey: orderId,
          payload: { paymentReference: 'P-9' },
        }),
      () => true,
    );
    expect(delivered.instanceIds).toEqual([id]);
    const d = await finished(c, id);
    expect(d.state?.variables['paymentReference']).toBe('P-9');
    expect(completed(d)).toEqual(
      expect.arrayContaining(['Event_PaymentReceived', 'Task_RecordPayment', 'EndEvent_Fulfilled']),
    );
    expect(completed(d)).not.toContain('Event_PaymentTimeout');
  });

  it('payment-wait: without the message the timer wins and the order is cancelled', async () => {
    const c = rt.caller('t-msg2');
    const orderId = rt.sales.seedOrder('t-msg2', 800, 1);
    const d = await finished(c, await start(c, 'payment-wait', { orderId, currency: 'EUR' }, 2));
    expect(completed(d)).toEqual(
      expect.arrayContaining(['Event_PaymentTimeout', 'Task_CancelOrder', 'EndEvent_Cancelled']),
    );
    expect(rt.sales.order('t-msg2', orderId)?.status).toBe(5);
    await expect(
      rt.processes.correlateMessage(c, {
        name: 'PaymentReceived',
        correlationKey: orderId,
        payload: {},
      }),
    ).rejects.toMatchObject({ code: 'not_found' });
  });

  it('order-shipment: address changes are recorded without interrupting the wait, the payment is recorded and the order shipped', async () => {
    const c = rt.caller('t-ship');
    const orderId = rt.sales.seedOrder('t-ship', 800, 1);
    const id = await start(c, 'order-shipment', { orderId });
    for (let i = 0; i < 2; i++)
      expect(await correlate(rt, c, 'DeliveryAddressChanged', orderId)).toEqual([id]);
    expect(await correlate(rt, c, 'PaymentReceived', orderId, orderShipmentPayment)).toEqual([id]);
    const d = await finished(c, id);
    expect(d.status).toBe('COMPLETED');
    expect(d.state?.variables).toMatchObject({ ...orderShipmentPayment, addressChanges: 2 });
    expect(d.state?.audit.filter((a) => a.event === 'boundaryFired')).toHaveLength(2);
    expect(completed(d)).toEqual(
      expect.arrayContaining([
        'Task_SendConfirmation',
        'Task_WaitForPayment',
        'Task_RecordPayment',
        'Task_MarkFulfilled',
        'EndEvent_Shipped',
      ]),
    );
    expect(rt.sales.callsOf('t-ship', 'ConfirmOrder')).toHaveLength(1);
    expect(rt.sales.order('t-ship', orderId)?.status).toBe(4);
  });

  it('order-shipment: a cancellation request interrupts the wait and cancels the order; a later payment finds no one', async () => {
    const c = rt.caller('t-ship2');
    const orderId = rt.sales.seedOrder('t-ship2', 800, 1);
    const id = await start(c, 'order-shipment', { orderId });
    expect(await correlate(rt, c, 'OrderCancellationRequested', orderId)).toEqual([id]);
    const d = await finished(c, id);
    expect(d.state?.audit.find((a) => a.event === 'interrupted')).toMatchObject({
      nodeId: 'Task_WaitForPayment',
      detail: 'by Boundary_Cancel',
    });
    expect(completed(d)).toContain('EndEvent_Cancelled');
    expect(completed(d)).not.toContain('Task_WaitForPayment');
    expect(rt.sales.order('t-ship2', orderId)?.status).toBe(5);
    await expect(
      rt.processes.correlateMessage(c, {
        name: 'PaymentReceived',
        correlationKey: orderId,
        payload: orderShipmentPayment,
      }),
    ).rejects.toMatchObject({ code: 'not_found' });
  });

  const triggered = (d: InstanceDetails) =>
    (d.state?.audit ?? []).filter((a) => a.event === 'eventTriggered').map((a) => a.nodeId);

  it('order-fulfilment-events: reminders (timer cycle) and address changes (message) run beside the packing; packed in stock, the order ships', async () => {
    const { id, orderId } = await runOrderFulfilment(rt, 't-esp1', 'fulfilled');
    const d = await finished(rt.caller('t-esp1', 'wes', ['warehouse']), id);
    expect(d.status).toBe('COMPLETED');
    expect(completed(d)).toContain('End_Fulfilled');
    expect(rt.sales.order('t-esp1', orderId)?.status).toBe(4);
    expect(d.state?.variables).toMatchObject({
      reminders: 3,
      addressChanges: 2,
      outOfStock: false,
    });
    expect(triggered(d).sort()).toEqual([
      'EventSub_AddressChanged',
      'EventSub_AddressChanged',
      'EventSub_Reminder',
      'EventSub_Reminder',
      'EventSub_Reminder',
    ]);
    expect(rpcs('t-esp1')).toEqual(['ConfirmOrder', 'MarkOrderFulfilled']);
  });

  it('order-fulfilment-events: a cancellation request (interrupting message start) cancels the packing task and the order', async () => {
    const c = rt.caller('t-esp2', 'wes', ['warehouse']);
    const { id, orderId } = await runOrderFulfilment(rt, 't-esp2', 'cancelled');
    const d = await finished(c, id);
    expect(d.status).toBe('COMPLETED');
    expect(triggered(d)).toContain('EventSub_Cancel');
    expect((d.state?.audit ?? []).filter((a) => a.event === 'taskCancelled')).toMatchObject([
      { nodeId: 'Task_Pack' },
    ]);
    expect(completed(d)).toContain('End_Cancelled');
    expect(completed(d)).not.toContain('Task_MarkFulfilled');
    expect(await rt.processes.listUserTasks(c, { instanceId: id })).toEqual([]);
    expect(rt.sales.order('t-esp2', orderId)?.status).toBe(5);
    expect(rpcs('t-esp2')).toEqual(['ConfirmOrder', 'CancelOrder']);
  });

  it('order-fulfilment-events: an OUT_OF_STOCK error thrown while packing is taken by the error start and cancels the order', async () => {
    const { id, orderId } = await runOrderFulfilment(rt, 't-esp3', 'out-of-stock');
    const d = await finished(rt.caller('t-esp3', 'wes', ['warehouse']), id);
    expect(d.status).toBe('COMPLETED');
    expect(d.state?.audit).toContainEqual(
      expect.objectContaining({ event: 'errorCaught', nodeId: 'Start_OutOfStock' }),
    );
    expect(completed(d)).toContain('End_CancelledOutOfStock');
    expect(rt.sales.callsOf('t-esp3', 'CancelOrder').map((c) => c.request)).toMatchObject([
      { orderId, reason: 'out of stock' },
    ]);
    expect(rt.sales.order('t-esp3', orderId)?.status).toBe(5);
  });

  const escalations = (d: InstanceDetails) =>
    (d.state?.audit ?? []).filter((a) => a.event === 'escalated').map((a) => a.detail);

  it('order-review-escalation: approved without escalating, the order is confirmed', async () => {
    const { id, orderId } = await runOrderReview(rt, 't-rev1', 'approve');
    const d = await finished(rt.caller('t-rev1', 'sam', ['sales']), id);
    expect(d.status).toBe('COMPLETED');
    expect(escalations(d)).toEqual([]);
    expect(completed(d)).toEqual(expect.arrayContaining(['End_Approved', 'End_Confirmed']));
    expect(rt.sales.order('t-rev1', orderId)?.status).toBe(2);
  });

  it('order-review-escalation: a thrown escalation is caught by the non-interrupting boundary (manager notified) and the review goes on to confirm', async () => {
    const { id, orderId } = await runOrderReview(rt, 't-rev2', 'escalate');
    const d = await finished(rt.caller('t-rev2', 'sam', ['sales']), id);
    expect(d.status).toBe('COMPLETED');
    expect(escalations(d)).toEqual(['NEEDS_MANAGER caught by Boundary_NeedsManager']);
    expect(d.state?.variables['managerNotified']).toBe(true);
    expect(completed(d)).toEqual(
      expect.arrayContaining(['End_ReviewedWithManager', 'End_ManagerNotified', 'End_Confirmed']),
    );
    expect(rt.sales.order('t-rev2', orderId)?.status).toBe(2);
  });

  it('order-review-escalation: an escalation end event is caught by the interrupting event subprocess, which cancels the order', async () => {
    const { id, orderId } = await runOrderReview(rt, 't-rev3', 'reject');
    const d = await finished(rt.caller('t-rev3', 'sam', ['sales']), id);
    expect(d.status).toBe('COMPLETED');
    expect(escalations(d)).toEqual(['ORDER_REJECTED caught by an event subprocess of root']);
    expect(completed(d)).toContain('End_Cancelled');
    expect(completed(d)).not.toContain('Task_Confirm');
    expect(rpcs('t-rev3')).toEqual(['CancelOrder']);
    expect(rt.sales.order('t-rev3', orderId)?.status).toBe(5);
  });

  it('order-risk-watch: a low risk score does not fire the conditional boundary; the conditional catch waits for the payment, then the order ships', async () => {
    const { id, orderId } = await runRiskWatch(rt, 't-risk1', 'shipped');
    const d = await finished(rt.caller('t-risk1', 'sam', ['sales']), id);
    expect(d.status).toBe('COMPLETED');
    expect(d.state?.variables).toMatchObject({ riskScore: 20, paid: true, approved: true });
    expect((d.state?.audit ?? []).some((a) => a.event === 'boundaryFired')).toBe(false);
    expect(completed(d)).toEqual(expect.arrayContaining(['Catch_Paid', 'End_Shipped']));
    expect(rt.sales.order('t-risk1', orderId)?.status).toBe(4);
  });

  it('order-risk-watch: a risk score of 90 while the review is open fires the interrupting conditional boundary, which cancels the order', async () => {
    const c = rt.caller('t-risk2', 'sam', ['sales']);
    const { id, orderId } = await runRiskWatch(rt, 't-risk2', 'high-risk');
    const d = await finished(c, id);
    expect(d.status).toBe('COMPLETED');
    expect(d.state?.audit).toContainEqual(
      expect.objectContaining({ event: 'boundaryFired', nodeId: 'Boundary_HighRisk' }),
    );
    expect(completed(d)).toContain('End_Cancelled');
    expect(await rt.processes.listUserTasks(c, { instanceId: id })).toEqual([]);
    expect(rt.sales.order('t-risk2', orderId)?.status).toBe(5);
  });

  it('order-review-links: an approval goes through the link to the confirmation part; a rejection cancels', async () => {
    const a = await runLinkReview(rt, 't-link1', true);
    const r = await runLinkReview(rt, 't-link2', false);
    const approved = await finished(rt.caller('t-link1', 'sam', ['sales']), a.id);
    const rejected = await finished(rt.caller('t-link2', 'sam', ['sales']), r.id);
    expect(completed(approved)).toEqual(
      expect.arrayContaining(['Link_ToConfirmation', 'Task_Confirm', 'End_Confirmed']),
    );
    expect(rt.sales.order('t-link1', a.orderId)?.status).toBe(2);
    expect(completed(rejected)).toContain('End_Cancelled');
    expect(completed(rejected)).not.toContain('Link_ToConfirmation');
    expect(rt.sales.order('t-link2', r.orderId)?.status).toBe(5);
  });

  it('product-recall: the signal reaches every waiting instance of its tenant and none of another tenant', async () => {
    const a1 = await startRecallWatch(rt, 't-sig-a');
    const a2 = await startRecallWatch(rt, 't-sig-a');
    const b = await startRecallWatch(rt, 't-sig-b');
    const thrower = await throwSignalBy(rt, 't-sig-a', 'product-recall');
    const ca = rt.caller('t-sig-a', 'wes', ['warehouse']);
    const thrown = await finished(ca, thrower);
    expect(thrown.state?.audit).toContainEqual(
      expect.objectContaining({
        event: 'signalThrown',
        detail: 'ProductRecall: 2 other instances',
      }),
    );
    for (const w of [a1, a2]) {
      const d = await finished(ca, w.id);
      expect(completed(d)).toContain('End_Recalled');
      expect(rt.sales.order('t-sig-a', w.orderId)?.status).toBe(5);
    }
    // The other tenant's instance still packs, untouched.
    const cb = rt.caller('t-sig-b', 'wes', ['warehouse']);
    expect((await rt.processes.get(cb, b.id)).status).toBe('RUNNING');
    expect(
      (await rt.processes.listUserTasks(cb, { instanceId: b.id })).map((t) => t.nodeId),
    ).toEqual(['Task_Pack']);
    expect(rt.sales.callsOf('t-sig-b', 'CancelOrder')).toEqual([]);
    await rt.processes.cancel(cb, b.id);
  });

  it('shipment-dispatch: the CarrierAvailable signal wins the event-based gateway; the message and the timer are withdrawn', async () => {
    const c = rt.caller('t-disp1', 'wes', ['warehouse']);
    const { id, orderId } = await runShipmentDispatch(rt, 't-disp1', 'shipped');
    const d = await finished(c, id);
    expect(d.status).toBe('COMPLETED');
    expect(completed(d)).toEqual(expect.arrayContaining(['Catch_Carrier', 'End_Shipped']));
    expect(completed(d)).not.toContain('Catch_Cancelled');
    expect(completed(d)).not.toContain('Timer_Deadline');
    expect(rpcs('t-disp1')).toEqual(['ConfirmOrder', 'MarkOrderFulfilled']);
    expect(rt.sales.order('t-disp1', orderId)?.status).toBe(4);
    // Its subscriptions went with the race: a late cancellation finds no instance.
    await expect(
      rt.processes.correlateMessage(c, {
        name: 'ShipmentCancelled',
        correlationKey: orderId,
        payload: {},
      }),
    ).rejects.toMatchObject({
      code: 'not_found',
      message: `no process instance waits for message ShipmentCancelled with key ${orderId}`,
    });
  });

  it('shipment-dispatch: a ShipmentCancelled message wins the race; a signal thrown afterwards does not reach the instance', async () => {
    const c = rt.caller('t-disp2', 'wes', ['warehouse']);
    const { id, orderId } = await runShipmentDispatch(rt, 't-disp2', 'cancelled');
    const d = await finished(c, id);
    expect(completed(d)).toEqual(expect.arrayContaining(['Catch_Cancelled', 'End_Cancelled']));
    expect(completed(d)).not.toContain('Catch_Carrier');
    const thrower = await rt.processes.get(
      c,
      await throwSignalBy(rt, 't-disp2', 'carrier-available'),
    );
    expect(thrower.state?.audit.find((a) => a.event === 'signalThrown')?.detail).toBe(
      'CarrierAvailable: 0 other instances',
    );
    expect(rpcs('t-disp2')).toEqual(['ConfirmOrder', 'CancelOrder']);
    expect(rt.sales.order('t-disp2', orderId)?.status).toBe(5);
  });

  it('shipment-dispatch: with neither a carrier nor a cancellation the deadline wins and cancels the order', async () => {
    const c = rt.caller('t-disp3', 'wes', ['warehouse']);
    const { id, orderId } = await runShipmentDispatch(rt, 't-disp3', 'no-carrier');
    const d = await finished(c, id);
    expect(completed(d)).toEqual(expect.arrayContaining(['Timer_Deadline', 'End_NoCarrier']));
    expect(completed(d)).not.toContain('Catch_Carrier');
    expect(rt.sales.callsOf('t-disp3', 'CancelOrder').map((x) => x.request)).toMatchObject([
      { orderId, reason: 'no carrier within 2 days' },
    ]);
  });

  it('carrier-available: a signal end event releases the packed order waiting at its signal catch event', async () => {
    const c = rt.caller('t-sig-c', 'wes', ['warehouse']);
    const w = await startRecallWatch(rt, 't-sig-c');
    await taskAt(c, w.id, 'Task_Pack').then((t) =>
      rt.processes.completeUserTask(c, w.id, t.taskId, {}),
    );
    await armed(rt, 't-sig-c', w.id, 'signal:CarrierAvailable:*');
    await throwSignalBy(rt, 't-sig-c', 'carrier-available');
    const d = await finished(c, w.id);
    expect(completed(d)).toEqual(expect.arrayContaining(['Catch_Carrier', 'End_Shipped']));
    expect(rt.sales.order('t-sig-c', w.orderId)?.status).toBe(4);
  });

  it('order-intake: an OrderReceived message starts an instance with its payload; the same message id again starts nothing', async () => {
    for (const priority of [false, true]) {
      const tenant = `t-intake-${priority ? 'large' : 'small'}`;
      const c = rt.caller(tenant, 'shop', []);
      const { first, again, orderRef } = await runOrderIntake(rt, tenant, priority);
      expect(first.started).toBe(true);
      expect(first.instanceIds).toHaveLength(1);
      expect(again).toEqual(first);
      const d = await finished(c, first.instanceIds[0]!);
      expect(d.status).toBe('COMPLETED');
      expect(d.definition).toBe('order-intake');
      expect(d.state?.variables).toMatchObject({
        orderRef,
        customer: 'c-42',
        amountMinor: priority ? 250_000 : 5_000,
        priority,
      });
      expect(completed(d)).toContain(priority ? 'End_Priority' : 'End_Standard');
      expect(d.state?.audit).toContainEqual(
        expect.objectContaining({ event: 'messageReceived', nodeId: 'Start_OrderReceived' }),
      );
      const { instances } = await eventually(
        () => rt.processes.list(c, { definition: 'order-intake' }),
        (r) => r.instances.length > 0,
      );
      expect(instances.map((i) => i.instanceId)).toEqual(first.instanceIds);
      // The id sent with another message is refused, naming the field.
      await expect(
        rt.processes.correlateMessage(c, {
          name: 'OrderReceived',
          correlationKey: orderRef,
          payload: { orderRef, customer: 'someone else', amountMinor: 1 },
          messageId: `shop-msg-${orderRef}`,
        }),
      ).rejects.toMatchObject({
        code: 'failed_precondition',
        reason: 'MESSAGE_ID_REUSED',
        fieldViolations: [expect.objectContaining({ field: 'message_id' })],
      });
    }
  });

  it('recall-notice: BroadcastSignal starts the signal start event with the payload as variables, in its tenant only', async () => {
    const tenant = RECALL_NOTICE_TENANTS[0];
    const c = rt.caller(tenant, 'wes', ['warehouse']);
    const { id } = await runRecallNotice(rt, tenant, 'broadcast');
    const d = await finished(c, id);
    expect(d.status).toBe('COMPLETED');
    expect(d.state?.variables).toMatchObject({
      recalledProduct: 'kettle K2',
      notice: 'Recall: kettle K2',
    });
    expect(completed(d)).toContain('End_Noticed');
    // A tenant without recall-notice: the same signal starts nothing, there or here.
    const other = rt.caller('t-notice-none', 'wes', ['warehouse']);
    expect(
      await rt.processes.broadcast(other, {
        name: 'ProductRecall',
        payload: { recalledProduct: 'x' },
      }),
    ).toEqual({ delivered: 0, startedInstanceIds: [] });
    // A payload the variables refuse starts nothing, and says which variable.
    await expect(
      rt.processes.broadcast(c, { name: 'ProductRecall', payload: { recalledProduct: 42 } }),
    ).rejects.toMatchObject({
      code: 'invalid_argument',
      reason: 'INVALID_VARIABLES',
      fieldViolations: [{ field: 'payload.recalledProduct', description: 'must be a string' }],
    });
    const { instances } = await eventually(
      () => rt.processes.list(c, { definition: 'recall-notice' }),
      (r) => r.instances.length > 0,
    );
    expect(instances.map((i) => i.instanceId)).toEqual([id]);
  });

  it('recall-notice: a signal thrown by another instance (product-recall) starts it too', async () => {
    const tenant = RECALL_NOTICE_TENANTS[1];
    const c = rt.caller(tenant, 'wes', ['warehouse']);
    const { id, thrower } = await runRecallNotice(rt, tenant, 'thrown');
    const d = await finished(c, id);
    expect(d.state?.variables).toMatchObject({ notice: 'Recall: see announcement' });
    const t = await finished(c, thrower!);
    expect(t.state?.audit).toContainEqual(
      expect.objectContaining({ event: 'signalThrown', detail: 'ProductRecall: 1 other instance' }),
    );
    const { instances } = await rt.processes.list(c, { definition: 'recall-notice' });
    expect(instances).toHaveLength(1);
  });

  it('order-recall-watch: a signal broadcast from outside carries its payload into the instance that catches it', async () => {
    const tenant = 't-sig-payload';
    const c = rt.caller(tenant, 'wes', ['warehouse']);
    const w = await startRecallWatch(rt, tenant);
    await taskAt(c, w.id, 'Task_Pack').then((t) =>
      rt.processes.completeUserTask(c, w.id, t.taskId, {}),
    );
    await armed(rt, tenant, w.id, 'signal:CarrierAvailable:*');
    expect(
      await rt.processes.broadcast(c, { name: 'CarrierAvailable', payload: { carrier: 'DHL' } }),
    ).toEqual({ delivered: 1, startedInstanceIds: [] });
    const d = await finished(c, w.id);
    expect(completed(d)).toEqual(expect.arrayContaining(['Catch_Carrier', 'End_Shipped']));
    expect(d.state?.variables).toMatchObject({ orderId: w.orderId, carrier: 'DHL' });
  });

  it('order-credit-limit: an escalation the called instance does not catch reaches the call activity boundary', async () => {
    for (const over of [true, false]) {
      const tenant = `t-limit-${over ? 'over' : 'within'}`;
      const c = rt.caller(tenant, 'sam', ['sales']);
      const { id, child } = await runCreditLimit(rt, tenant, over);
      const d = await finished(c, id);
      expect(d.status).toBe('COMPLETED');
      expect(completed(d)).toContain('End_Checked');
      const called = await finished(c, child);
      expect(completed(called)).toContain(over ? 'End_Referred' : 'End_Within');
      if (over) {
        expect(d.state?.variables).toMatchObject({ approvalRequested: true });
        expect(completed(d)).toEqual(
          expect.arrayContaining(['Task_RequestApproval', 'End_ApprovalRequested']),
        );
        expect(d.state?.audit).toContainEqual(
          expect.objectContaining({
            event: 'escalated',
            nodeId: 'Call_LimitCheck',
            detail: 'OVER_CREDIT_LIMIT from the called instance caught by Boundary_OverLimit',
          }),
        );
        expect(called.state?.audit).toContainEqual(
          expect.objectContaining({
            event: 'escalated',
            detail: 'OVER_CREDIT_LIMIT not caught, passed to the calling instance',
          }),
        );
      } else {
        expect(d.state?.variables?.['approvalRequested']).toBeUndefined();
        expect(completed(d)).not.toContain('Task_RequestApproval');
      }
    }
  });
});
