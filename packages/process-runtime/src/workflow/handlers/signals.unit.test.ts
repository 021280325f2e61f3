import { describe, expect, it } from 'vitest';
import { compileExample, compilePlan } from '../../testing/example-plans.js';
import { startFakeInstance } from '../../testing/fake-instance.js';
import { createFakeSales, ORDER_STATUS } from '../../testing/fake-sales.js';
import type { SignalBroadcast } from '../activity-types.js';
import type { InstanceEnd } from '../engine/run-instance.js';
import { SIGNAL_ARRIVALS_PATCH } from './signals.js';

// Signals on the fake port, with examples/processes/order-recall-watch.bpmn, product-recall.bpmn
// and carrier-available.bpmn (examples.int.test.ts runs them on Temporal, across instances and
// tenants).

async function watcher() {
  const sales = createFakeSales();
  const orderId = sales.seedOrder(600, ORDER_STATUS.draft);
  const i = await startFakeInstance(await compileExample('order-recall-watch'), {
    world: sales,
    variables: { orderId },
  });
  const signal = async (name: string) => {
    i.engine.deliver({ name, correlationKey: '*', payload: {}, signal: true });
    await i.port.settle();
  };
  return { sales, orderId, i, signal };
}

describe('signal catchers', () => {
  it('a signal boundary interrupts the task it is armed on; catchers are visible to broadcasts', async () => {
    const { sales, orderId, i, signal } = await watcher();
    expect(i.port.attributes.messages).toEqual(['signal:ProductRecall:*']);
    // A message of the same name is not a signal.
    i.engine.deliver({ name: 'ProductRecall', correlationKey: '*', payload: {} });
    await i.port.settle();
    expect(i.ended()).toBeUndefined();
    await signal('ProductRecall');
    expect(sales.order(orderId)?.status).toBe(ORDER_STATUS.cancelled);
    expect(i.ended()?.end).toMatchObject({ result: { endEvent: 'End_Recalled' } });
    expect(i.port.attributes.messages).toEqual([]);
  });

  it('a signal catch event sees only signals broadcast after it armed', async () => {
    const { sales, orderId, i, signal } = await watcher();
    await signal('CarrierAvailable'); // nobody waits for it yet: not buffered
    await i.complete('Task_Pack');
    expect(i.engine.tokenViews()).toEqual([
      expect.objectContaining({ nodeId: 'Catch_Carrier', waitingFor: 'signal' }),
    ]);
    expect(i.port.attributes.messages).toEqual(['signal:CarrierAvailable:*']);
    await signal('CarrierAvailable');
    expect(sales.order(orderId)?.status).toBe(ORDER_STATUS.fulfilled);
    expect(i.ended()?.end).toMatchObject({ result: { endEvent: 'End_Shipped' } });
  });
});

describe('signal throwers', () => {
  it('an intermediate throw broadcasts through the activity (tenant, signal, its own id) and goes on', async () => {
    const broadcasts: SignalBroadcast[] = [];
    const i = await startFakeInstance(await compileExample('product-recall'), {
      world: { broadcastSignal: (b) => (broadcasts.push(b), 2) },
    });
    expect(broadcasts).toEqual([
      { tenantId: 'acme', signal: 'ProductRecall', fromWorkflowId: i.port.workflowId() },
    ]);
    expect(i.engine.state.audit).toContainEqual(
      expect.objectContaining({
        event: 'signalThrown',
        nodeId: 'Throw_Recall',
        detail: 'ProductRecall: 2 other instances',
      }),
    );
    expect(i.ended()?.end).toMatchObject({ result: { endEvent: 'End_Announced' } });
  });

  it('a signal end event broadcasts, then ends the token', async () => {
    const broadcasts: string[] = [];
    const i = await startFakeInstance(await compileExample('carrier-available'), {
      world: { broadcastSignal: (b) => (broadcasts.push(b.signal), 0) },
    });
    expect(broadcasts).toEqual(['CarrierAvailable']);
    expect(i.ended()?.end).toMatchObject({ result: { endEvent: 'End_CarrierAvailable' } });
  });
});

const SELF = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:signal id="Go" name="Go" />
  <bpmn:process id="signal-self" isExecutable="true">
    <bpmn:startEvent id="Start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:parallelGateway id="Fork"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing><bpmn:outgoing>f4</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:intermediateCatchEvent id="Catch_A"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing><bpmn:signalEventDefinition signalRef="Go" /></bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="Catch_B"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f6</bpmn:outgoing><bpmn:signalEventDefinition signalRef="Go" /></bpmn:intermediateCatchEvent>
    <bpmn:userTask id="Task_Then"><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f7</bpmn:outgoing></bpmn:userTask>
    <bpmn:intermediateThrowEvent id="Throw_Go"><bpmn:incoming>f7</bpmn:incoming><bpmn:outgoing>f8</bpmn:outgoing><bpmn:signalEventDefinition signalRef="Go" /></bpmn:intermediateThrowEvent>
    <bpmn:parallelGateway id="Join"><bpmn:incoming>f5</bpmn:incoming><bpmn:incoming>f6</bpmn:incoming><bpmn:incoming>f8</bpmn:incoming><bpmn:outgoing>f9</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:endEvent id="End"><bpmn:incoming>f9</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Fork" />
    <bpmn:sequenceFlow id="f2" sourceRef="Fork" targetRef="Catch_A" />
    <bpmn:sequenceFlow id="f3" sourceRef="Fork" targetRef="Catch_B" />
    <bpmn:sequenceFlow id="f4" sourceRef="Fork" targetRef="Task_Then" />
    <bpmn:sequenceFlow id="f5" sourceRef="Catch_A" targetRef="Join" />
    <bpmn:sequenceFlow id="f6" sourceRef="Catch_B" targetRef="Join" />
    <bpmn:sequenceFlow id="f7" sourceRef="Task_Then" targetRef="Throw_Go" />
    <bpmn:sequenceFlow id="f8" sourceRef="Throw_Go" targetRef="Join" />
    <bpmn:sequenceFlow id="f9" sourceRef="Join" targetRef="End" />
  </bpmn:process>
</bpmn:definitions>`;

describe('signals within one instance', () => {
  it('a throw wakes every catcher of its own instance, and armed catchers survive continue-as-new', async () => {
    const plan = await compilePlan(SELF);
    const first = await startFakeInstance(plan);
    first.port.suggestContinueAsNew = true;
    await first.port.settle();
    const end: InstanceEnd | undefined = first.ended()?.end;
    if (end?.type !== 'continueAsNew')
      throw new Error(`expected continue-as-new, got ${end?.type}`);
    const second = await startFakeInstance(plan, { resume: end.resume });
    expect(
      second.engine
        .tokenViews()
        .filter((t) => t.waitingFor === 'signal')
        .map((t) => t.nodeId),
    ).toEqual(['Catch_A', 'Catch_B']);
    await second.complete('Task_Then');
    expect(second.ended()?.end).toMatchObject({ type: 'completed', result: { endEvent: 'End' } });
    expect(second.engine.state.audit).toContainEqual(
      expect.objectContaining({ event: 'signalThrown', detail: 'Go: 0 other instances' }),
    );
  });
});

// examples/processes/shipment-dispatch.bpmn: an event-based gateway racing a signal, a message
// and a timer.
describe('signals racing at an event-based gateway', () => {
  const HOUR = 3_600_000;
  async function dispatch() {
    const sales = createFakeSales();
    const orderId = sales.seedOrder(300, ORDER_STATUS.draft);
    const i = await startFakeInstance(await compileExample('shipment-dispatch'), {
      world: sales,
      variables: { orderId },
    });
    return { sales, orderId, i };
  }
  const signal = async (i: Awaited<ReturnType<typeof dispatch>>['i'], name: string) => {
    i.engine.deliver({ name, correlationKey: '*', payload: {}, signal: true });
    await i.port.settle();
  };

  it('the signal wins: the order ships and the message subscription goes with the race', async () => {
    const { sales, orderId, i } = await dispatch();
    expect([...(i.port.attributes.messages ?? [])].sort()).toEqual([
      `ShipmentCancelled:${orderId}`,
      'signal:CarrierAvailable:*',
    ]);
    await signal(i, 'CarrierAvailable');
    expect(sales.order(orderId)?.status).toBe(ORDER_STATUS.fulfilled);
    expect(i.ended()?.end).toMatchObject({ result: { endEvent: 'End_Shipped' } });
    expect(i.port.attributes.messages).toEqual([]);
    // The deadline was withdrawn: time passing changes nothing.
    await i.port.advance(72 * HOUR);
    expect(sales.order(orderId)?.status).toBe(ORDER_STATUS.fulfilled);
  });

  it('the message wins; the signal is no longer awaited', async () => {
    const { sales, orderId, i } = await dispatch();
    i.engine.deliver({ name: 'ShipmentCancelled', correlationKey: orderId, payload: {} });
    await i.port.settle();
    expect(i.ended()?.end).toMatchObject({ result: { endEvent: 'End_Cancelled' } });
    expect(sales.order(orderId)?.status).toBe(ORDER_STATUS.cancelled);
    expect(i.port.attributes.messages).toEqual([]);
  });

  it('the timer wins after 2 days without a carrier or a cancellation', async () => {
    const { sales, orderId, i } = await dispatch();
    await i.port.advance(47 * HOUR);
    expect(i.ended()).toBeUndefined();
    await i.port.advance(HOUR);
    expect(i.ended()?.end).toMatchObject({ result: { endEvent: 'End_NoCarrier' } });
    expect(sales.order(orderId)?.status).toBe(ORDER_STATUS.cancelled);
  });
});

// A signal from outside (BroadcastSignal) carries a payload; signals thrown by instances carry none.
describe('signal payloads', () => {
  const withPayload = (
    i: { engine: { deliver(m: object): void } },
    name: string,
    payload: object,
  ) => i.engine.deliver({ name, correlationKey: '*', payload, signal: true });

  it('a signal catch event merges the payload into the variables; one without a payload changes none', async () => {
    const { i } = await watcher();
    await i.complete('Task_Pack');
    withPayload(i, 'CarrierAvailable', { carrier: 'DHL', slot: 3 });
    await i.port.settle();
    expect(i.ended()?.end).toMatchObject({ result: { endEvent: 'End_Shipped' } });
    expect(i.engine.state.variables).toMatchObject({ carrier: 'DHL', slot: 3 });

    const plain = await watcher();
    await plain.i.complete('Task_Pack');
    const before = { ...plain.i.engine.state.variables };
    await plain.signal('CarrierAvailable');
    expect(plain.i.engine.state.variables).toEqual(before);
  });

  it('a signal boundary maps the payload of the signal that fired it', async () => {
    const { i } = await watcher();
    withPayload(i, 'ProductRecall', { recallId: 'R-9' });
    await i.port.settle();
    expect(i.ended()?.end).toMatchObject({ result: { endEvent: 'End_Recalled' } });
    expect(i.engine.state.variables).toMatchObject({ recallId: 'R-9' });
  });

  it('the winning signal at an event-based gateway maps its payload', async () => {
    const sales = createFakeSales();
    const orderId = sales.seedOrder(300, ORDER_STATUS.draft);
    const i = await startFakeInstance(await compileExample('shipment-dispatch'), {
      world: sales,
      variables: { orderId },
    });
    withPayload(i, 'CarrierAvailable', { carrier: 'UPS' });
    await i.port.settle();
    expect(i.ended()?.end).toMatchObject({ result: { endEvent: 'End_Shipped' } });
    expect(i.engine.state.variables).toMatchObject({ carrier: 'UPS' });
  });

  it('two signals arriving together: the catcher maps the payload of the first after it armed', async () => {
    const { i } = await watcher();
    await i.complete('Task_Pack');
    withPayload(i, 'CarrierAvailable', { carrier: 'DHL' });
    withPayload(i, 'CarrierAvailable', { carrier: 'UPS' });
    await i.port.settle();
    expect(i.ended()?.end).toMatchObject({ result: { endEvent: 'End_Shipped' } });
    expect(i.engine.state.variables).toMatchObject({ carrier: 'DHL' });

    // A replay of a history recorded before took the latest one's, and still does.
    const old = await watcher();
    old.i.port.unpatched.add(SIGNAL_ARRIVALS_PATCH);
    await old.i.complete('Task_Pack');
    withPayload(old.i, 'CarrierAvailable', { carrier: 'DHL' });
    withPayload(old.i, 'CarrierAvailable', { carrier: 'UPS' });
    await old.i.port.settle();
    expect(old.i.engine.state.variables).toMatchObject({ carrier: 'UPS' });
  });

  it('continue-as-new carries the latest payload of each signal over', async () => {
    const { i } = await watcher();
    withPayload(i, 'Unrelated', { note: 'kept' });
    await i.port.settle();
    i.port.suggestContinueAsNew = true;
    await i.complete('Task_Pack');
    const end: InstanceEnd | undefined = i.ended()?.end;
    if (end?.type !== 'continueAsNew')
      throw new Error(`expected continue-as-new, got ${end?.type}`);
    expect(end.resume.signalPayloads).toEqual({ Unrelated: { note: 'kept' } });
    expect(end.resume.signals).toMatchObject({ Unrelated: 1 });
    // And the payloads by arrival, for catchers armed before a signal they have not yet taken.
    expect(end.resume.signalArrivals).toEqual({ Unrelated: [{ n: 1, payload: { note: 'kept' } }] });
  });
});
