import { describe, expect, it } from 'vitest';
import { compileExample, compilePlan } from '../../testing/example-plans.js';
import { startFakeInstance } from '../../testing/fake-instance.js';
import { createFakeSales, ORDER_STATUS } from '../../testing/fake-sales.js';
import { draftSaga, draftSagaCreate, draftSagaLine } from '../../testing/test-plans.js';

// Compensation (the saga) on a fake port: the draft saga of runtime.int.test.ts, cancellation.

describe('compensation', () => {
  it('an uncaught error end undoes the completed steps newest first, then fails the instance', async () => {
    const sales = createFakeSales();
    const plan = await compilePlan(
      draftSaga(
        'draft-saga',
        draftSagaCreate +
          draftSagaLine('Task_Line1', 'F2', 'F3', 'lineId') +
          draftSagaLine('Task_Line2', 'F3', 'F4', 'line2'),
      ),
    );
    const i = await startFakeInstance(plan, { world: sales, workflowId: 'acme:saga' });
    expect(i.ended()?.end).toEqual({
      type: 'failed',
      failureType: 'BpmnError',
      message: 'error end event End_OutOfStock threw OutOfStock',
      details: ['OutOfStock'],
    });
    const { state } = i.engine;
    expect(state.status).toBe('FAILED');
    expect(i.engine.view().errorCode).toBe('OutOfStock');
    expect(state.audit.filter((a) => a.event === 'compensated').map((a) => a.nodeId)).toEqual([
      'Task_Line2',
      'Task_Line1',
      'Task_Create',
    ]);
    expect(sales.methods()).toEqual([
      'CreateOrder',
      'AddOrderLine',
      'AddOrderLine',
      'RemoveOrderLine',
      'RemoveOrderLine',
      'CancelOrder',
    ]);
    const undo = sales.calls.slice(3);
    // Each undo request was mapped when its task completed; each call has its own key.
    expect(undo.map((c) => c.request['lineId'])).toEqual([
      state.variables['line2'],
      state.variables['lineId'],
      undefined,
    ]);
    expect(undo.every((c) => c.idempotencyKey.startsWith('acme:saga/compensate/'))).toBe(true);
    expect(sales.order(state.variables['orderId'] as string)).toMatchObject({
      status: ORDER_STATUS.cancelled,
      lines: [],
    });
    expect(state.audit.at(-1)).toMatchObject({ event: 'finished', detail: 'failed: OutOfStock' });
    expect(i.port.attributes.status).toBe('FAILED');
  });

  it('cancelling an instance compensates what it completed, shielded from the cancellation', async () => {
    const sales = createFakeSales();
    const i = await startFakeInstance(await compileExample('payment-saga'), {
      world: {
        // The payment never answers: the instance is cancelled while it is in flight.
        callService: (c) =>
          c.rpc.endsWith('/RecordPayment') ? new Promise(() => {}) : sales.callService(c),
      },
      variables: {
        currency: 'EUR',
        customerId: 'c',
        paymentReference: 'PAY-3',
        quantity: 1,
        sku: 'S',
        unitPriceMinor: 400,
      },
    });
    expect(i.engine.tokenViews()).toEqual([
      expect.objectContaining({ nodeId: 'Task_RecordPayment', waitingFor: 'service' }),
    ]);
    i.port.cancelInstance();
    await i.port.settle();
    expect(i.port.isCancellation(i.ended()?.error)).toBe(true);
    expect(sales.methods()).toEqual(['CreateOrder', 'AddOrderLine', 'ConfirmOrder', 'CancelOrder']);
    const { state } = i.engine;
    expect(state.status).toBe('CANCELLED');
    expect(
      state.audit
        .filter((a) => a.event === 'cancelled' || a.event === 'compensated')
        .map((a) => a.event),
    ).toEqual(['cancelled', 'compensated']);
    expect(sales.order(state.variables['orderId'] as string)?.status).toBe(ORDER_STATUS.cancelled);
  });
});
