import { describe, expect, it } from 'vitest';
import { compileExample, compilePlan } from '../../testing/example-plans.js';
import { startFakeInstance } from '../../testing/fake-instance.js';
import { createFakeSales, ORDER_STATUS } from '../../testing/fake-sales.js';

// Escalations on the fake port, with examples/processes/order-review-escalation.bpmn
// (examples.int.test.ts runs it on Temporal).

async function review(decision: 'approve' | 'escalate' | 'reject') {
  const sales = createFakeSales();
  const orderId = sales.seedOrder(300, ORDER_STATUS.draft);
  const i = await startFakeInstance(await compileExample('order-review-escalation'), {
    world: sales,
    variables: { orderId },
  });
  await i.complete('Task_Check', { decision });
  const escalated = i.engine.state.audit
    .filter((a) => a.event === 'escalated')
    .map((a) => [a.nodeId, a.detail]);
  return { sales, orderId, i, escalated };
}

describe('escalations', () => {
  it('nothing is escalated when the clerk approves', async () => {
    const { sales, orderId, i, escalated } = await review('approve');
    expect(escalated).toEqual([]);
    expect(i.ended()?.end).toMatchObject({ result: { endEvent: 'End_Confirmed' } });
    expect(sales.order(orderId)?.status).toBe(ORDER_STATUS.confirmed);
  });

  it('a non-interrupting escalation boundary catches a throw inside its subprocess, which goes on', async () => {
    const { sales, orderId, i, escalated } = await review('escalate');
    expect(escalated).toEqual([
      ['Throw_NeedsManager', 'NEEDS_MANAGER caught by Boundary_NeedsManager'],
    ]);
    expect(i.engine.state.variables['managerNotified']).toBe(true);
    expect(i.completed()).toEqual(
      expect.arrayContaining([
        'Throw_NeedsManager',
        'End_ReviewedWithManager',
        'End_ManagerNotified',
        'Task_Confirm',
      ]),
    );
    expect(i.ended()?.end).toMatchObject({ result: { endEvent: 'End_Confirmed' } });
    expect(sales.order(orderId)?.status).toBe(ORDER_STATUS.confirmed);
  });

  it('an escalation end event is taken by an interrupting escalation event subprocess of an outer level', async () => {
    const { sales, orderId, i, escalated } = await review('reject');
    expect(escalated).toEqual([
      ['End_Rejected', 'ORDER_REJECTED caught by an event subprocess of root'],
    ]);
    expect(sales.methods()).toEqual(['CancelOrder']);
    expect(sales.order(orderId)?.status).toBe(ORDER_STATUS.cancelled);
    expect(i.completed()).not.toContain('Task_Confirm');
    expect(i.ended()?.end).toMatchObject({ result: { endEvent: 'End_Cancelled' } });
  });
});

const INTERRUPTING = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:escalation id="Esc_Late" escalationCode="LATE" />
  <bpmn:escalation id="Esc_Nobody" escalationCode="NOBODY" />
  <bpmn:process id="escalation-interrupts" isExecutable="true">
    <bpmn:startEvent id="Start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateThrowEvent id="Throw_Nobody"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing><bpmn:escalationEventDefinition escalationRef="Esc_Nobody" /></bpmn:intermediateThrowEvent>
    <bpmn:subProcess id="Sub">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:startEvent id="SubStart"><bpmn:outgoing>s1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:parallelGateway id="Fork"><bpmn:incoming>s1</bpmn:incoming><bpmn:outgoing>s2</bpmn:outgoing><bpmn:outgoing>s3</bpmn:outgoing></bpmn:parallelGateway>
      <bpmn:userTask id="Task_Wait"><bpmn:incoming>s2</bpmn:incoming><bpmn:outgoing>s4</bpmn:outgoing></bpmn:userTask>
      <bpmn:intermediateThrowEvent id="Throw_Late"><bpmn:incoming>s3</bpmn:incoming><bpmn:outgoing>s5</bpmn:outgoing><bpmn:escalationEventDefinition escalationRef="Esc_Late" /></bpmn:intermediateThrowEvent>
      <bpmn:scriptTask id="Task_AfterThrow" scriptFormat="feel"><bpmn:incoming>s5</bpmn:incoming><bpmn:outgoing>s6</bpmn:outgoing><bpmn:script>{ ranAfterThrow: true }</bpmn:script></bpmn:scriptTask>
      <bpmn:endEvent id="SubEnd1"><bpmn:incoming>s4</bpmn:incoming></bpmn:endEvent>
      <bpmn:endEvent id="SubEnd2"><bpmn:incoming>s6</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="s1" sourceRef="SubStart" targetRef="Fork" />
      <bpmn:sequenceFlow id="s2" sourceRef="Fork" targetRef="Task_Wait" />
      <bpmn:sequenceFlow id="s3" sourceRef="Fork" targetRef="Throw_Late" />
      <bpmn:sequenceFlow id="s4" sourceRef="Task_Wait" targetRef="SubEnd1" />
      <bpmn:sequenceFlow id="s5" sourceRef="Throw_Late" targetRef="Task_AfterThrow" />
      <bpmn:sequenceFlow id="s6" sourceRef="Task_AfterThrow" targetRef="SubEnd2" />
    </bpmn:subProcess>
    <bpmn:boundaryEvent id="Boundary_Late" attachedToRef="Sub"><bpmn:outgoing>f4</bpmn:outgoing><bpmn:escalationEventDefinition escalationRef="Esc_Late" /></bpmn:boundaryEvent>
    <bpmn:endEvent id="End_Normal"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="End_Late"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Throw_Nobody" />
    <bpmn:sequenceFlow id="f2" sourceRef="Throw_Nobody" targetRef="Sub" />
    <bpmn:sequenceFlow id="f3" sourceRef="Sub" targetRef="End_Normal" />
    <bpmn:sequenceFlow id="f4" sourceRef="Boundary_Late" targetRef="End_Late" />
  </bpmn:process>
</bpmn:definitions>`;

describe('escalations that interrupt, or that nobody catches', () => {
  it('an uncaught escalation is logged and the token goes on; an interrupting boundary cancels the subprocess and stops the thrower', async () => {
    const i = await startFakeInstance(await compilePlan(INTERRUPTING));
    const audit = i.engine.state.audit;
    expect(audit.filter((a) => a.event === 'escalated').map((a) => [a.nodeId, a.detail])).toEqual([
      ['Throw_Nobody', 'NOBODY not caught'],
      ['Throw_Late', 'LATE caught by Boundary_Late'],
    ]);
    // The task opened beside the thrower is cancelled with the subprocess.
    expect(audit.filter((a) => a.event === 'taskCancelled').map((a) => a.nodeId)).toEqual([
      'Task_Wait',
    ]);
    expect(i.engine.state.variables['ranAfterThrow']).toBeUndefined();
    expect(audit).toContainEqual(
      expect.objectContaining({ event: 'interrupted', nodeId: 'Sub', detail: 'by Boundary_Late' }),
    );
    expect(i.ended()?.end).toMatchObject({ result: { endEvent: 'End_Late' } });
  });
});
