import { describe, expect, it } from 'vitest';
import { compileExample } from '../../testing/example-plans.js';
import { startFakeInstance } from '../../testing/fake-instance.js';
import { createFakeSales, ORDER_STATUS } from '../../testing/fake-sales.js';

// Send and receive tasks and message boundary events on the fake port, with
// examples/processes/order-shipment.bpmn (examples.int.test.ts runs it on Temporal).

async function shipment() {
  const sales = createFakeSales();
  const orderId = sales.seedOrder(500, ORDER_STATUS.draft);
  const i = await startFakeInstance(await compileExample('order-shipment'), {
    world: sales,
    variables: { orderId },
  });
  const send = async (name: string, payload: Record<string, unknown> = {}, key = orderId) => {
    i.engine.deliver({ name, correlationKey: key, payload });
    await i.port.settle();
  };
  return { sales, orderId, i, send };
}

describe('send and receive tasks, message boundary events', () => {
  const payment = { paymentReference: 'PAY-1', currency: 'EUR', amountMinor: 500 };

  it('the send task calls its RPC; the receive task waits for its message and maps the payload', async () => {
    const { sales, i, send } = await shipment();
    expect(sales.methods()).toEqual(['ConfirmOrder']);
    expect(i.engine.tokenViews()).toEqual([
      expect.objectContaining({ nodeId: 'Task_WaitForPayment', waitingFor: 'message' }),
    ]);
    // Every message the instance waits for is visible to correlation.
    expect(i.port.attributes.messages).toEqual(
      ['DeliveryAddressChanged', 'OrderCancellationRequested', 'PaymentReceived'].map(
        (m) => `${m}:${i.input.variables['orderId'] as string}`,
      ),
    );
    await send('PaymentReceived', payment, 'another-order');
    expect(i.ended()).toBeUndefined();
    await send('PaymentReceived', payment);
    expect(i.engine.state.variables).toMatchObject(payment);
    expect(sales.methods()).toEqual(['ConfirmOrder', 'RecordPayment', 'MarkOrderFulfilled']);
    expect(i.ended()?.end).toMatchObject({ result: { endEvent: 'EndEvent_Shipped' } });
    expect(i.port.attributes.messages).toEqual([]);
  });

  it('a non-interrupting message boundary fires per message while the task goes on', async () => {
    const { i, send } = await shipment();
    await send('DeliveryAddressChanged');
    await send('DeliveryAddressChanged');
    expect(i.engine.state.variables['addressChanges']).toBe(2);
    expect(i.engine.state.audit.filter((a) => a.event === 'boundaryFired')).toHaveLength(2);
    expect(i.engine.tokenViews().map((t) => t.nodeId)).toEqual(['Task_WaitForPayment']);
    await send('PaymentReceived', payment);
    expect(i.ended()?.end).toMatchObject({ result: { endEvent: 'EndEvent_Shipped' } });
  });

  it('an interrupting message boundary cancels the wait and leaves through the boundary', async () => {
    const { sales, orderId, i, send } = await shipment();
    await send('OrderCancellationRequested');
    expect(i.engine.state.audit.find((a) => a.event === 'interrupted')).toMatchObject({
      nodeId: 'Task_WaitForPayment',
      detail: 'by Boundary_Cancel',
    });
    expect(sales.order(orderId)?.status).toBe(5);
    expect(i.ended()?.end).toMatchObject({ result: { endEvent: 'EndEvent_Cancelled' } });
    // A payment reported afterwards is not taken by anyone.
    expect(i.port.attributes.messages).toEqual([]);
  });
});
