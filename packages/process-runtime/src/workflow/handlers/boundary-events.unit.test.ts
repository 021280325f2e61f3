import { describe, expect, it } from 'vitest';
import { compileExample } from '../../testing/example-plans.js';
import { startFakeInstance } from '../../testing/fake-instance.js';
import { createFakeSales, ORDER_STATUS } from '../../testing/fake-sales.js';

// Boundary events on a fake port. The virtual clock makes the plans' real durations (PT4H, P2D)
// instant and exact; on Temporal the same plans need retimed copies.

const HOUR = 3_600_000;

async function escalation() {
  const sales = createFakeSales();
  const orderId = sales.seedOrder(900, ORDER_STATUS.draft);
  const agents: string[] = [];
  const i = await startFakeInstance(await compileExample('order-approval-escalation'), {
    world: {
      callService: (c) => sales.callService(c),
      invokeAgent: (req) => {
        agents.push(`${req.agent}:${req.nodeId}`);
        return 'reminded';
      },
    },
    variables: { orderId },
  });
  return { sales, orderId, agents, i, started: i.port.now() };
}

describe('timer boundary events', () => {
  it('a non-interrupting reminder fires beside the task, then the interrupting expiry cancels it', async () => {
    const { sales, orderId, agents, i, started } = await escalation();
    const [task] = i.engine.state.openTasks();
    expect(task?.nodeId).toBe('Task_Approve');
    expect(i.port.nextTimer()).toBe(started + 4 * HOUR);

    await i.port.advance(4 * HOUR);
    const fired = () => i.engine.state.audit.filter((a) => a.event === 'boundaryFired');
    expect(fired().map((a) => [a.nodeId, a.at])).toEqual([
      ['Boundary_Remind', new Date(started + 4 * HOUR).toISOString()],
    ]);
    expect(agents).toEqual(['sales-assistant:Task_RemindManager']);
    expect(i.completed()).toEqual(
      expect.arrayContaining(['Task_RemindManager', 'EndEvent_Reminded']),
    );
    // The task is still open: the reminder did not interrupt it.
    expect(i.engine.state.openTask(task!.taskId)).toBeDefined();
    expect(i.ended()).toBeUndefined();

    await i.port.advance(48 * HOUR - 4 * HOUR);
    expect(fired().map((a) => [a.nodeId, a.at])).toEqual([
      ['Boundary_Remind', new Date(started + 4 * HOUR).toISOString()],
      ['Boundary_Expired', new Date(started + 48 * HOUR).toISOString()],
    ]);
    const audit = i.engine.state.audit;
    expect(audit).toContainEqual(
      expect.objectContaining({ event: 'interrupted', nodeId: 'Task_Approve' }),
    );
    expect(audit).toContainEqual(
      expect.objectContaining({
        event: 'taskCancelled',
        nodeId: 'Task_Approve',
        detail: task!.taskId,
      }),
    );
    expect(i.engine.state.openTasks()).toEqual([]);
    expect(i.port.attributes.taskCandidates).toEqual([]);
    expect(i.completed()).toEqual(
      expect.arrayContaining(['Task_CancelExpired', 'EndEvent_Expired']),
    );
    expect(i.completed()).not.toContain('Task_Approve');
    expect(sales.order(orderId)?.status).toBe(ORDER_STATUS.cancelled);
    expect(i.ended()?.end?.type).toBe('completed');
  });

  it('completing the task in time cancels its boundary timers', async () => {
    const { sales, orderId, i } = await escalation();
    await i.port.advance(HOUR);
    await i.complete('Task_Approve', { approved: true, comment: 'ok' });
    expect(i.port.nextTimer()).toBeUndefined();
    expect(i.engine.state.audit.some((a) => a.event === 'boundaryFired')).toBe(false);
    expect(i.completed()).toEqual(expect.arrayContaining(['Task_Confirm', 'EndEvent_Confirmed']));
    expect(sales.order(orderId)?.status).toBe(ORDER_STATUS.confirmed);
    expect(i.ended()?.end?.type).toBe('completed');
  });
});

describe('error boundary events', () => {
  const vars = {
    currency: 'EUR',
    customerId: 'c',
    paymentReference: 'DECLINE-1',
    quantity: 1,
    sku: 'S',
    unitPriceMinor: 400,
  };

  it('a domain refusal whose reason matches the boundary code leaves through the boundary', async () => {
    const sales = createFakeSales();
    const i = await startFakeInstance(await compileExample('payment-saga'), {
      world: sales,
      variables: vars,
    });
    const audit = i.engine.state.audit;
    // The model names the code PaymentDeclined; the domain's reason is PAYMENT_DECLINED.
    expect(audit).toContainEqual(
      expect.objectContaining({
        event: 'errorCaught',
        nodeId: 'Boundary_PaymentDeclined',
        detail: 'PAYMENT_DECLINED from Task_RecordPayment',
      }),
    );
    expect(audit).toContainEqual(
      expect.objectContaining({ event: 'failed', nodeId: 'Task_RecordPayment' }),
    );
    expect(i.completed()).not.toContain('Task_RecordPayment');
    expect(i.completed()).toContain('EndEvent_Compensate');
    // The compensate end undid what the scope completed: only CreateOrder has a compensation.
    expect(sales.methods()).toEqual([
      'CreateOrder',
      'AddOrderLine',
      'ConfirmOrder',
      'RecordPayment',
      'CancelOrder',
    ]);
    expect(audit.filter((a) => a.event === 'compensated').map((a) => a.nodeId)).toEqual([
      'Task_CreateOrder',
    ]);
    const order = sales.order(i.engine.state.variables['orderId'] as string);
    expect(order?.status).toBe(ORDER_STATUS.cancelled);
    expect(i.ended()?.end).toMatchObject({
      type: 'completed',
      result: { endEvent: 'EndEvent_Compensate' },
    });
  });

  it('without the refusal the task completes normally and nothing is compensated', async () => {
    const sales = createFakeSales();
    const i = await startFakeInstance(await compileExample('payment-saga'), {
      world: sales,
      variables: { ...vars, paymentReference: 'PAY-2' },
    });
    expect(i.completed()).toEqual(expect.arrayContaining(['Task_RecordPayment', 'EndEvent_Paid']));
    expect(i.engine.state.audit.some((a) => a.event === 'compensating')).toBe(false);
    expect(sales.methods()).not.toContain('CancelOrder');
  });
});
