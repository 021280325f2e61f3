import { describe, expect, it } from 'vitest';
import { compileExample, compilePlan } from '../../testing/example-plans.js';
import { startFakeInstance } from '../../testing/fake-instance.js';
import { createFakeSales, ORDER_STATUS } from '../../testing/fake-sales.js';
import type { InstanceEnd } from '../engine/run-instance.js';

// Event subprocesses on the fake port, with examples/processes/order-fulfilment-events.bpmn
// (examples.int.test.ts runs it on Temporal). The virtual clock makes PT4H instant and exact.

const HOUR = 3_600_000;

async function fulfilment() {
  const sales = createFakeSales();
  const orderId = sales.seedOrder(700, ORDER_STATUS.draft);
  const i = await startFakeInstance(await compileExample('order-fulfilment-events'), {
    world: sales,
    variables: { orderId },
  });
  const send = async (name: string, key = orderId) => {
    i.engine.deliver({ name, correlationKey: key, payload: {} });
    await i.port.settle();
  };
  const audit = (event: string) =>
    i.engine.state.audit.filter((a) => a.event === event).map((a) => a.nodeId);
  return { sales, orderId, i, send, audit, started: i.port.now() };
}

describe('message ids', () => {
  it('an instance takes a message with an id once: a repeated delivery runs nothing again', async () => {
    const { orderId, i } = await fulfilment();
    const changed = (messageId?: string) => {
      i.engine.deliver({
        name: 'DeliveryAddressChanged',
        correlationKey: orderId,
        payload: {},
        ...(messageId ? { messageId } : {}),
      });
      return i.port.settle();
    };
    await changed('addr-1');
    await changed('addr-1');
    await changed('addr-2');
    await changed(); // without an id: every delivery counts
    await changed();
    expect(i.engine.state.variables).toMatchObject({ addressChanges: 4 });
  });
});

describe('event subprocesses', () => {
  it('non-interrupting timer and message starts run beside the work; the process then ends normally and stops watching', async () => {
    const { sales, orderId, i, send, audit, started } = await fulfilment();
    expect(i.engine.state.openTasks().map((t) => t.nodeId)).toEqual(['Task_Pack']);
    // Both message starts are visible to correlation while their levels run.
    expect(i.port.attributes.messages).toEqual([
      `DeliveryAddressChanged:${orderId}`,
      `OrderCancellationRequested:${orderId}`,
    ]);
    expect(i.port.nextTimer()).toBe(started + 4 * HOUR);

    await i.port.advance(4 * HOUR);
    await send('DeliveryAddressChanged');
    await send('DeliveryAddressChanged');
    await send('DeliveryAddressChanged', 'another-order');
    expect(i.engine.state.variables).toMatchObject({ reminders: 1, addressChanges: 2 });
    expect(audit('eventTriggered')).toEqual([
      'EventSub_Reminder',
      'EventSub_AddressChanged',
      'EventSub_AddressChanged',
    ]);
    // Nothing was interrupted: the task is still open.
    expect(i.engine.state.openTasks().map((t) => t.nodeId)).toEqual(['Task_Pack']);

    await i.complete('Task_Pack', { outOfStock: false });
    expect(i.ended()?.end).toMatchObject({
      type: 'completed',
      result: { endEvent: 'End_Fulfilled' },
    });
    expect(sales.methods()).toEqual(['ConfirmOrder', 'MarkOrderFulfilled']);
    expect(sales.order(orderId)?.status).toBe(ORDER_STATUS.fulfilled);
    expect(i.port.nextTimer()).toBeUndefined();
    expect(i.port.attributes.messages).toEqual([]);
  });

  it('a timer cycle start fires as often as the cycle says, and no more', async () => {
    const { i, audit } = await fulfilment();
    await i.port.advance(20 * HOUR);
    expect(i.engine.state.variables['reminders']).toBe(3);
    expect(audit('eventTriggered')).toEqual([
      'EventSub_Reminder',
      'EventSub_Reminder',
      'EventSub_Reminder',
    ]);
    expect(i.port.nextTimer()).toBeUndefined();
    expect(i.ended()).toBeUndefined();
  });

  it('an interrupting message start cancels everything running (the subprocess and its task) and ends the process its way', async () => {
    const { sales, orderId, i, send, audit } = await fulfilment();
    await send('OrderCancellationRequested');
    expect(audit('taskCancelled')).toEqual(['Task_Pack']);
    expect(sales.order(orderId)?.status).toBe(ORDER_STATUS.cancelled);
    expect(i.ended()?.end).toMatchObject({
      type: 'completed',
      result: { endEvent: 'End_Cancelled' },
    });
    expect(sales.methods()).toEqual(['ConfirmOrder', 'CancelOrder']);
    // Nothing watches any more: no reminder timer, no subscription.
    expect(i.port.nextTimer()).toBeUndefined();
    expect(i.port.attributes.messages).toEqual([]);
  });

  it('an error start takes the error thrown inside a subprocess of its level', async () => {
    const { sales, orderId, i, audit } = await fulfilment();
    await i.complete('Task_Pack', { outOfStock: true });
    expect(i.engine.state.audit).toContainEqual(
      expect.objectContaining({ event: 'errorCaught', nodeId: 'Start_OutOfStock' }),
    );
    expect(audit('eventTriggered')).toEqual(['EventSub_OutOfStock']);
    expect(sales.calls.at(-1)).toMatchObject({
      rpc: 'ameide.sales.v1.OrderService/CancelOrder',
      request: { orderId, reason: 'out of stock' },
    });
    expect(i.ended()?.end).toMatchObject({
      type: 'completed',
      result: { endEvent: 'End_CancelledOutOfStock' },
    });
    expect(i.completed()).not.toContain('Task_MarkFulfilled');
  });
});

const WAIT_WITH_REMINDER = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:ameide="https://ameide.io/schema/bpmn/1.0" id="d" targetNamespace="t">
  <bpmn:error id="Error_Rejected" errorCode="REJECTED" />
  <bpmn:process id="wait-with-reminder" isExecutable="true">
    <bpmn:startEvent id="Start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Task_Review" name="Review"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="End"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Task_Review" />
    <bpmn:sequenceFlow id="f2" sourceRef="Task_Review" targetRef="End" />
    <bpmn:subProcess id="Esp_Remind" triggeredByEvent="true">
      <bpmn:startEvent id="Start_Remind" isInterrupting="false">
        <bpmn:outgoing>r1</bpmn:outgoing>
        <bpmn:timerEventDefinition><bpmn:timeCycle xsi:type="bpmn:tFormalExpression">R/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition>
      </bpmn:startEvent>
      <bpmn:scriptTask id="Task_Count" scriptFormat="feel" ameide:resultVariable="reminders">
        <bpmn:incoming>r1</bpmn:incoming><bpmn:outgoing>r2</bpmn:outgoing>
        <bpmn:script>(if reminders = null then 0 else reminders) + 1</bpmn:script>
      </bpmn:scriptTask>
      <bpmn:endEvent id="End_Remind"><bpmn:incoming>r2</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="r1" sourceRef="Start_Remind" targetRef="Task_Count" />
      <bpmn:sequenceFlow id="r2" sourceRef="Task_Count" targetRef="End_Remind" />
    </bpmn:subProcess>
  </bpmn:process>
</bpmn:definitions>`;

describe('event subprocesses across continue-as-new', () => {
  it('a timer start keeps its deadline and count when the process continues as new', async () => {
    const plan = await compilePlan(WAIT_WITH_REMINDER);
    const first = await startFakeInstance(plan);
    const started = first.port.now();
    await first.port.advance(HOUR + 30 * 60_000);
    expect(first.engine.state.variables['reminders']).toBe(1);
    first.port.suggestContinueAsNew = true;
    await first.port.settle();
    const end: InstanceEnd | undefined = first.ended()?.end;
    if (end?.type !== 'continueAsNew')
      throw new Error(`expected continue-as-new, got ${end?.type}`);
    expect(end.resume.eventTimers).toEqual({
      'root:Esp_Remind': { deadline: started + 2 * HOUR, fired: 1 },
    });

    const second = await startFakeInstance(plan, { resume: end.resume, now: first.port.now() });
    // The same instant as before, not an hour from the new run's start.
    expect(second.port.nextTimer()).toBe(started + 2 * HOUR);
    await second.port.advance(30 * 60_000);
    expect(second.engine.state.variables['reminders']).toBe(2);
    await second.complete('Task_Review');
    expect(second.ended()?.end).toMatchObject({ type: 'completed', result: { endEvent: 'End' } });
  });
});
