import { describe, expect, it } from 'vitest';
import { compileExample, compilePlan } from '../../testing/example-plans.js';
import { startFakeInstance } from '../../testing/fake-instance.js';
import { createFakeSales, ORDER_STATUS } from '../../testing/fake-sales.js';
import { terminateRace } from '../../testing/test-plans.js';

// Message and timer events, the event-based gateway and end events on a fake port.

const DAY = 86_400_000;

async function paymentWait() {
  const sales = createFakeSales();
  const orderId = sales.seedOrder(800, ORDER_STATUS.draft);
  const i = await startFakeInstance(await compileExample('payment-wait'), {
    world: sales,
    variables: { orderId, currency: 'EUR' },
  });
  return { sales, orderId, i };
}

describe('message events', () => {
  it('a token subscribes to its message by correlation key and takes the matching delivery', async () => {
    const { sales, orderId, i } = await paymentWait();
    expect(i.engine.tokenViews()).toEqual([
      expect.objectContaining({ nodeId: 'Gateway_Wait', waitingFor: 'message' }),
    ]);
    expect(i.port.attributes.messages).toEqual([`PaymentReceived:${orderId}`]);
    expect(i.engine.quiescent()).toBe(true);

    // Another key and another name wait in the inbox; they do not wake the token.
    i.engine.deliver({ name: 'PaymentReceived', correlationKey: 'other', payload: {} });
    i.engine.deliver({ name: 'Refund', correlationKey: orderId, payload: {} });
    await i.port.settle();
    expect(i.ended()).toBeUndefined();

    i.engine.deliver({
      name: 'PaymentReceived',
      correlationKey: orderId,
      payload: { paymentReference: 'P-9' },
    });
    await i.port.settle();
    expect(i.engine.state.variables['paymentReference']).toBe('P-9');
    expect(i.engine.state.audit).toContainEqual(
      expect.objectContaining({
        event: 'messageReceived',
        nodeId: 'Event_PaymentReceived',
        detail: `PaymentReceived:${orderId}`,
      }),
    );
    expect(i.completed()).toEqual(
      expect.arrayContaining(['Event_PaymentReceived', 'Task_RecordPayment', 'EndEvent_Fulfilled']),
    );
    expect(i.completed()).not.toContain('Event_PaymentTimeout');
    expect(i.port.attributes.messages).toEqual([]);
    expect(i.port.nextTimer()).toBeUndefined();
    expect(sales.order(orderId)?.status).toBe(ORDER_STATUS.fulfilled);
  });

  it('a message delivered before the token gets there is kept and taken on arrival', async () => {
    const sales = createFakeSales();
    const orderId = sales.seedOrder(800, ORDER_STATUS.draft);
    let confirm: (() => void) | undefined;
    const i = await startFakeInstance(await compileExample('payment-wait'), {
      world: {
        callService: (c) =>
          c.rpc.endsWith('/ConfirmOrder')
            ? new Promise((resolve) => (confirm = () => resolve(sales.callService(c))))
            : sales.callService(c),
      },
      variables: { orderId, currency: 'EUR' },
    });
    i.engine.deliver({
      name: 'PaymentReceived',
      correlationKey: orderId,
      payload: { paymentReference: 'early' },
    });
    confirm!();
    await i.port.settle();
    expect(i.engine.state.variables['paymentReference']).toBe('early');
    expect(i.ended()?.end?.type).toBe('completed');
  });

  it('without the message the timer wins the event-based gateway, at its exact deadline', async () => {
    const { sales, orderId, i } = await paymentWait();
    const started = i.port.now();
    await i.port.advance(7 * DAY - 1);
    expect(i.ended()).toBeUndefined();
    await i.port.advance(1);
    expect(i.completed()).toEqual(
      expect.arrayContaining(['Event_PaymentTimeout', 'Task_CancelOrder', 'EndEvent_Cancelled']),
    );
    expect(i.engine.state.audit.find((a) => a.nodeId === 'Event_PaymentTimeout')?.at).toBe(
      new Date(started + 7 * DAY).toISOString(),
    );
    expect(i.port.attributes.messages).toEqual([]);
    expect(sales.order(orderId)?.status).toBe(ORDER_STATUS.cancelled);
    expect(i.ended()?.end?.type).toBe('completed');
  });
});

describe('end events', () => {
  it('a terminate end cancels the other tokens of its scope and ends the instance terminated', async () => {
    const i = await startFakeInstance(await compilePlan(terminateRace), {
      world: createFakeSales(),
    });
    const end = i.ended()?.end;
    expect(end).toMatchObject({
      type: 'completed',
      result: { status: 'COMPLETED', endEvent: 'End_Terminate', terminated: true },
    });
    const audit = i.engine.state.audit;
    expect(audit).toContainEqual(
      expect.objectContaining({ event: 'taskCancelled', nodeId: 'Task_Wait' }),
    );
    expect(i.completed()).not.toContain('End_Waited');
    expect(i.engine.state.openTasks()).toEqual([]);
    expect(i.engine.tokenViews()).toEqual([]);
    expect(audit.at(-1)).toMatchObject({
      event: 'finished',
      nodeId: 'End_Terminate',
      detail: 'terminated',
    });
  });
});
