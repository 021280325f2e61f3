import { describe, expect, it } from 'vitest';
import { compileExample, compilePlan } from '../../testing/example-plans.js';
import { startFakeInstance } from '../../testing/fake-instance.js';
import { createFakeSales, ORDER_STATUS } from '../../testing/fake-sales.js';
import type { InstanceEnd } from '../engine/run-instance.js';

// Conditional events on the fake port, with examples/processes/order-risk-watch.bpmn
// (examples.int.test.ts runs it on Temporal).

async function watch() {
  const sales = createFakeSales();
  const orderId = sales.seedOrder(400, ORDER_STATUS.draft);
  const i = await startFakeInstance(await compileExample('order-risk-watch'), {
    world: sales,
    variables: { orderId },
  });
  const send = async (name: string, payload: Record<string, unknown> = {}) => {
    i.engine.deliver({ name, correlationKey: orderId, payload });
    await i.port.settle();
  };
  return { sales, orderId, i, send };
}

describe('conditional events', () => {
  it('a conditional catch waits until its condition holds; a boundary condition that never holds does not fire', async () => {
    const { sales, orderId, i, send } = await watch();
    await send('RiskScoreUpdated', { score: 20 });
    expect(i.engine.state.variables['riskScore']).toBe(20);
    await i.complete('Task_Review');
    expect(i.engine.tokenViews()).toEqual([
      expect.objectContaining({ nodeId: 'Catch_Paid', waitingFor: 'condition' }),
    ]);
    await send('PaymentReported');
    expect(i.ended()?.end).toMatchObject({ result: { endEvent: 'End_Shipped' } });
    expect(sales.order(orderId)?.status).toBe(ORDER_STATUS.fulfilled);
    expect(i.engine.state.audit.some((a) => a.event === 'boundaryFired')).toBe(false);
  });

  it('a conditional catch whose condition already holds passes at once', async () => {
    const { i, send } = await watch();
    await send('PaymentReported');
    await i.complete('Task_Review');
    expect(i.ended()?.end).toMatchObject({ result: { endEvent: 'End_Shipped' } });
  });

  it('an interrupting conditional boundary fires when a change makes its condition hold', async () => {
    const { sales, orderId, i, send } = await watch();
    await send('RiskScoreUpdated', { score: 90 });
    expect(i.engine.state.audit).toContainEqual(
      expect.objectContaining({ event: 'interrupted', nodeId: 'Task_Review' }),
    );
    expect(sales.order(orderId)?.status).toBe(ORDER_STATUS.cancelled);
    expect(i.ended()?.end).toMatchObject({ result: { endEvent: 'End_Cancelled' } });
  });
});

const EDGES = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:ameide="https://ameide.io/schema/bpmn/1.0" id="d" targetNamespace="t">
  <bpmn:message id="M" name="Level" />
  <bpmn:process id="conditional-edges" isExecutable="true">
    <bpmn:startEvent id="Start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Task_Wait"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:intermediateCatchEvent id="Catch_Done"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:conditionalEventDefinition><bpmn:condition xsi:type="bpmn:tFormalExpression">level = 0</bpmn:condition></bpmn:conditionalEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="End"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Task_Wait" />
    <bpmn:sequenceFlow id="f2" sourceRef="Task_Wait" targetRef="Catch_Done" />
    <bpmn:sequenceFlow id="f3" sourceRef="Catch_Done" targetRef="End" />
    <bpmn:subProcess id="Esp_Level" triggeredByEvent="true">
      <bpmn:startEvent id="Start_Level" isInterrupting="false">
        <bpmn:extensionElements><ameide:messageBinding><ameide:correlationKey>"k"</ameide:correlationKey><ameide:output>{ level: message.level }</ameide:output></ameide:messageBinding></bpmn:extensionElements>
        <bpmn:outgoing>l1</bpmn:outgoing><bpmn:messageEventDefinition messageRef="M" />
      </bpmn:startEvent>
      <bpmn:endEvent id="End_Level"><bpmn:incoming>l1</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="l1" sourceRef="Start_Level" targetRef="End_Level" />
    </bpmn:subProcess>
    <bpmn:subProcess id="Esp_High" triggeredByEvent="true">
      <bpmn:startEvent id="Start_High" isInterrupting="false"><bpmn:outgoing>h1</bpmn:outgoing>
        <bpmn:conditionalEventDefinition><bpmn:condition xsi:type="bpmn:tFormalExpression">level &gt; 5</bpmn:condition></bpmn:conditionalEventDefinition>
      </bpmn:startEvent>
      <bpmn:scriptTask id="Task_Count" scriptFormat="feel" ameide:resultVariable="highs"><bpmn:incoming>h1</bpmn:incoming><bpmn:outgoing>h2</bpmn:outgoing><bpmn:script>(if highs = null then 0 else highs) + 1</bpmn:script></bpmn:scriptTask>
      <bpmn:endEvent id="End_High"><bpmn:incoming>h2</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="h1" sourceRef="Start_High" targetRef="Task_Count" />
      <bpmn:sequenceFlow id="h2" sourceRef="Task_Count" targetRef="End_High" />
    </bpmn:subProcess>
  </bpmn:process>
</bpmn:definitions>`;

describe('conditional starts and continue-as-new', () => {
  it('a non-interrupting conditional event subprocess fires each time its condition turns true, and a waiting conditional catch survives continue-as-new', async () => {
    const plan = await compilePlan(EDGES);
    const first = await startFakeInstance(plan, { variables: { level: 1 } });
    const level = async (i: typeof first, value: number) => {
      i.engine.deliver({ name: 'Level', correlationKey: 'k', payload: { level: value } });
      await i.port.settle();
    };
    for (const v of [7, 9, 2, 8]) await level(first, v);
    // 7 fires, 9 stays true (no new edge), 2 resets, 8 fires again.
    expect(first.engine.state.variables['highs']).toBe(2);
    await first.complete('Task_Wait');
    expect(first.engine.tokenViews()).toEqual([
      expect.objectContaining({ nodeId: 'Catch_Done', waitingFor: 'condition' }),
    ]);
    first.port.suggestContinueAsNew = true;
    await first.port.settle();
    const end: InstanceEnd | undefined = first.ended()?.end;
    if (end?.type !== 'continueAsNew')
      throw new Error(`expected continue-as-new, got ${end?.type}`);
    // The high-level start fired twice and the level is still high: the next run waits for a
    // false edge first.
    expect(end.resume.eventTimers).toEqual({ 'root:Esp_High': { fired: 2 } });

    const second = await startFakeInstance(plan, { resume: end.resume });
    await level(second, 6);
    expect(second.engine.state.variables['highs']).toBe(2);
    await level(second, 0);
    expect(second.ended()?.end).toMatchObject({ type: 'completed', result: { endEvent: 'End' } });
  });
});

const RACE = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:ameide="https://ameide.io/schema/bpmn/1.0" id="d" targetNamespace="t">
  <bpmn:process id="conditional-race" isExecutable="true">
    <bpmn:startEvent id="Start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:parallelGateway id="Fork"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:userTask id="Task_Approve"><bpmn:extensionElements><ameide:userTaskBinding><ameide:output>{ approved: true }</ameide:output></ameide:userTaskBinding></bpmn:extensionElements><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="End_Task"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:eventBasedGateway id="Race"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing><bpmn:outgoing>f6</bpmn:outgoing></bpmn:eventBasedGateway>
    <bpmn:intermediateCatchEvent id="Catch_Timeout"><bpmn:incoming>f5</bpmn:incoming><bpmn:outgoing>f7</bpmn:outgoing><bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="Catch_Approved"><bpmn:incoming>f6</bpmn:incoming><bpmn:outgoing>f8</bpmn:outgoing><bpmn:conditionalEventDefinition><bpmn:condition xsi:type="bpmn:tFormalExpression">approved = true</bpmn:condition></bpmn:conditionalEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="End_Timeout"><bpmn:incoming>f7</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="End_Approved"><bpmn:incoming>f8</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Fork" />
    <bpmn:sequenceFlow id="f2" sourceRef="Fork" targetRef="Task_Approve" />
    <bpmn:sequenceFlow id="f3" sourceRef="Fork" targetRef="Race" />
    <bpmn:sequenceFlow id="f4" sourceRef="Task_Approve" targetRef="End_Task" />
    <bpmn:sequenceFlow id="f5" sourceRef="Race" targetRef="Catch_Timeout" />
    <bpmn:sequenceFlow id="f6" sourceRef="Race" targetRef="Catch_Approved" />
    <bpmn:sequenceFlow id="f7" sourceRef="Catch_Timeout" targetRef="End_Timeout" />
    <bpmn:sequenceFlow id="f8" sourceRef="Catch_Approved" targetRef="End_Approved" />
  </bpmn:process>
</bpmn:definitions>`;

describe('a conditional event in an event-based gateway race', () => {
  it('wins when its condition comes true first', async () => {
    const i = await startFakeInstance(await compilePlan(RACE));
    await i.complete('Task_Approve');
    expect(i.completed()).toContain('Catch_Approved');
    expect(i.completed()).not.toContain('Catch_Timeout');
    expect(i.port.nextTimer()).toBeUndefined();
    expect(i.ended()?.end?.type).toBe('completed');
  });

  it('loses to the timer when the condition stays false', async () => {
    const i = await startFakeInstance(await compilePlan(RACE));
    await i.port.advance(3_600_000);
    expect(i.completed()).toContain('Catch_Timeout');
    await i.complete('Task_Approve');
    expect(i.completed()).not.toContain('Catch_Approved');
    expect(i.ended()?.end?.type).toBe('completed');
  });
});
