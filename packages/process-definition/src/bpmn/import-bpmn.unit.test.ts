import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ameideModdleDescriptor,
  exportBpmn,
  importBpmn,
  lintProcessDefinition,
  type Diagnostic,
  type ProcessDefinition,
} from '@ameide/process-definition';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url), 'utf8');

const NS =
  'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:ameide="https://ameide.io/schema/bpmn/1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';
const doc = (process: string, extra = ''): string =>
  `<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions ${NS} id="D" targetNamespace="t">${extra}<bpmn:process id="P" isExecutable="true">${process}</bpmn:process></bpmn:definitions>`;

async function imported(
  xml: string,
): Promise<{ definition: ProcessDefinition; diagnostics: readonly Diagnostic[] }> {
  const result = await importBpmn(xml);
  if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
  return result;
}

const codes = (diagnostics: readonly Diagnostic[]): string[] =>
  diagnostics.map((d) => `${d.code}:${d.elementId}`);

describe('importBpmn: Camunda Modeler (Zeebe) dialect', () => {
  it('imports the structure intact and warns for each binding that needs mapping', async () => {
    const { definition, diagnostics } = await imported(fixture('camunda-modeler-order.bpmn'));
    expect(definition.id).toBe('Process_OrderHandling');
    expect(definition.nodes.map((n) => `${n.id}:${n.type}`)).toEqual([
      'StartEvent_1:startEvent',
      'Activity_0u7q1cd:serviceTask',
      'Activity_1n2d6b8:scriptTask',
      'Gateway_0xk8f2v:exclusiveGateway',
      'Activity_1q8v0ay:userTask',
      'Gateway_1m5z3qw:exclusiveGateway',
      'Event_0pay3x1:intermediateMessageEvent',
      'Activity_0ship01:callActivity',
      'Activity_1pack00:unsupported',
      'Event_1done00:endEvent',
      'Event_0remind:boundaryEvent',
      'Activity_0mail00:sendTask',
      'Event_0remdone:endEvent',
      'TextAnnotation_0note01:textAnnotation',
    ]);
    expect(definition.edges).toHaveLength(12);
    const warnings = diagnostics
      .filter((d) => d.severity === 'warning')
      .map((d) => `${d.code}:${d.elementId}:${d.message.split(' ').slice(0, 2).join(' ')}`);
    expect(warnings).toEqual([
      'AM103:Process_OrderHandling:element zeebe:versionTag',
      'AM103:Activity_0u7q1cd:element zeebe:taskDefinition',
      'AM103:Activity_0u7q1cd:element zeebe:ioMapping',
      'AM103:Activity_1q8v0ay:element zeebe:userTask',
      'AM103:Activity_1q8v0ay:element zeebe:formDefinition',
      "AM102:Activity_1pack00:bpmn:ManualTask 'Activity_1pack00'",
      'AM103:Activity_0mail00:element zeebe:taskDefinition',
      "AM106:Association_0a1b2c3:bpmn:Association 'Association_0a1b2c3'",
    ]);
    expect(diagnostics.find((d) => d.elementId === 'Activity_1pack00')).toMatchObject({
      bpmnType: 'bpmn:ManualTask',
    });
  });

  it('maps what maps cleanly: FEEL without =, assignments, subscriptions, called elements, scripts', async () => {
    const { definition } = await imported(fixture('camunda-modeler-order.bpmn'));
    const node = (id: string) => definition.nodes.find((n) => n.id === id)!;
    expect(definition.edges.find((e) => e.id === 'Flow_1large')!.data.condition).toBe(
      'total > 1000',
    );
    expect(definition.edges.find((e) => e.id === 'Flow_0small')!.data.isDefault).toBe(true);
    expect(node('Activity_1q8v0ay').data).toEqual({
      name: 'Approve large order',
      binding: { candidateGroups: '["sales", "finance"]' },
    });
    expect(node('Event_0pay3x1').data).toMatchObject({
      message: { name: 'payment-received', correlationKey: 'orderId' },
    });
    expect(node('Activity_0ship01').data).toMatchObject({
      binding: { definition: 'shipping', version: 'latest' },
    });
    expect(node('Activity_1n2d6b8').data).toMatchObject({
      resultVariable: 'total',
      script: 'sum(for line in lines return line.price * line.quantity)',
    });
    expect(node('Event_0remind')).toMatchObject({
      position: { x: 762, y: 242 },
      data: { attachedTo: 'Activity_1q8v0ay', interrupting: false },
    });
  });

  it('lints the import with errors on what still needs work, by id', async () => {
    const { definition } = await imported(fixture('camunda-modeler-order.bpmn'));
    expect(codes(lintProcessDefinition(definition).diagnostics)).toEqual([
      'AM024:Activity_0u7q1cd',
      'AM024:Activity_0mail00',
      'AM028:Activity_1pack00',
    ]);
  });
});

describe('importBpmn: send and receive tasks, message boundary events', () => {
  it('imports bare send and receive tasks as such, and lint asks for their binding and message', async () => {
    const { definition } = await imported(
      doc('<bpmn:startEvent id="S" /><bpmn:sendTask id="ST" /><bpmn:receiveTask id="RT" />'),
    );
    expect(definition.nodes.map((n) => `${n.id}:${n.type}`)).toEqual([
      'S:startEvent',
      'ST:sendTask',
      'RT:receiveTask',
    ]);
    const missing = lintProcessDefinition(definition).diagnostics.filter((d) => d.code === 'AM024');
    expect(missing.map((d) => [d.elementId, d.path])).toEqual([
      ['ST', 'nodes[1].data.binding'],
      ['RT', 'nodes[2].data.message'],
    ]);
  });

  it('maps a Camunda 8 receive task and message boundary event with their subscriptions', async () => {
    const { definition } = await imported(
      `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="D" targetNamespace="t">
  <bpmn:message id="M1" name="shipped"><bpmn:extensionElements><zeebe:subscription correlationKey="=orderId" /></bpmn:extensionElements></bpmn:message>
  <bpmn:message id="M2" name="cancelled"><bpmn:extensionElements><zeebe:subscription correlationKey="=orderId" /></bpmn:extensionElements></bpmn:message>
  <bpmn:process id="P" isExecutable="true">
    <bpmn:startEvent id="S" />
    <bpmn:receiveTask id="R" messageRef="M1" />
    <bpmn:boundaryEvent id="B" attachedToRef="R" cancelActivity="false"><bpmn:messageEventDefinition messageRef="M2" /></bpmn:boundaryEvent>
  </bpmn:process>
</bpmn:definitions>`,
    );
    const node = (id: string) => definition.nodes.find((n) => n.id === id)!;
    expect(node('R')).toMatchObject({
      type: 'receiveTask',
      data: { message: { name: 'shipped', correlationKey: 'orderId' } },
    });
    expect(node('B')).toMatchObject({
      type: 'boundaryEvent',
      data: {
        attachedTo: 'R',
        interrupting: false,
        event: { type: 'message', message: { name: 'cancelled', correlationKey: 'orderId' } },
      },
    });
  });
});

describe('importBpmn: elements Ameide does not execute', () => {
  const cases: [string, string, string][] = [
    ['bpmn:ManualTask', '<bpmn:manualTask id="X" />', ''],
    ['bpmn:Task', '<bpmn:task id="X" />', ''],
    ['bpmn:ComplexGateway', '<bpmn:complexGateway id="X" />', ''],
    [
      'bpmn:IntermediateThrowEvent',
      '<bpmn:intermediateThrowEvent id="X"><bpmn:signalEventDefinition /></bpmn:intermediateThrowEvent>',
      'bpmn:SignalEventDefinition',
    ],
    [
      'bpmn:IntermediateCatchEvent',
      '<bpmn:intermediateCatchEvent id="X"><bpmn:conditionalEventDefinition /></bpmn:intermediateCatchEvent>',
      'bpmn:ConditionalEventDefinition',
    ],
    [
      'bpmn:EndEvent',
      '<bpmn:endEvent id="X"><bpmn:escalationEventDefinition /></bpmn:endEvent>',
      'bpmn:EscalationEventDefinition',
    ],
    [
      'bpmn:DataObjectReference',
      '<bpmn:dataObject id="DO" /><bpmn:dataObjectReference id="X" dataObjectRef="DO" />',
      '',
    ],
    ['bpmn:DataStoreReference', '<bpmn:dataStoreReference id="X" />', ''],
    [
      'bpmn:ServiceTask',
      '<bpmn:serviceTask id="X"><bpmn:multiInstanceLoopCharacteristics /></bpmn:serviceTask>',
      '',
    ],
    [
      'bpmn:SubProcess',
      '<bpmn:subProcess id="X"><bpmn:standardLoopCharacteristics /><bpmn:startEvent id="XS" /></bpmn:subProcess>',
      '',
    ],
    ['bpmn:Transaction', '<bpmn:transaction id="X" />', ''],
    [
      'bpmn:ScriptTask',
      '<bpmn:scriptTask id="X" scriptFormat="groovy"><bpmn:script>1</bpmn:script></bpmn:scriptTask>',
      '',
    ],
  ];

  it.each(cases)(
    '%s is kept as an unsupported node, reported by type and id, and survives a round trip',
    async (type, xml, eventDefinition) => {
      const first = await imported(doc(`<bpmn:startEvent id="S" />${xml}`));
      const node = first.definition.nodes.find((n) => n.id === 'X')!;
      expect(node.type).toBe('unsupported');
      expect(node.data).toMatchObject({ bpmnType: type });
      if (eventDefinition) expect(node.data).toMatchObject({ eventDefinitions: [eventDefinition] });
      const d = first.diagnostics.find((x) => x.code === 'AM102' && x.elementId === 'X')!;
      expect(d.message).toContain(type);
      expect(d.bpmnType).toBe(type);
      expect(
        lintProcessDefinition(first.definition)
          .diagnostics.filter((x) => x.code === 'AM028')
          .map((x) => x.elementId),
      ).toContain('X');
      // The snippet has no BPMN DI: export draws it, so compare without layout, then exactly.
      const second = await imported(await exportBpmn(first.definition));
      const semantics = (d: ProcessDefinition) =>
        d.nodes.map(({ id, type, data, parentId }) => ({ id, type, data, parentId }));
      expect(semantics(second.definition)).toStrictEqual(semantics(first.definition));
      const third = await imported(await exportBpmn(second.definition));
      expect(third.definition).toStrictEqual(second.definition);
    },
  );

  it('keeps the children of an unsupported subProcess under it', async () => {
    const { definition } = await imported(doc(cases.find((c) => c[1].includes('id="XS"'))![1]));
    expect(definition.nodes.find((n) => n.id === 'XS')).toMatchObject({
      parentId: 'X',
      type: 'startEvent',
    });
  });

  it('imports event subprocesses: triggeredByEvent, the start trigger and isInterrupting', async () => {
    const xml = doc(`<bpmn:startEvent id="S" />
      <bpmn:subProcess id="Esp" triggeredByEvent="true">
        <bpmn:startEvent id="EspStart" isInterrupting="false"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:startEvent>
      </bpmn:subProcess>
      <bpmn:subProcess id="Err" triggeredByEvent="true">
        <bpmn:startEvent id="ErrStart"><bpmn:errorEventDefinition /></bpmn:startEvent>
      </bpmn:subProcess>`);
    const { definition } = await imported(xml);
    const node = (id: string) => definition.nodes.find((n) => n.id === id);
    expect(node('Esp')).toMatchObject({ type: 'subProcess', data: { triggeredByEvent: true } });
    expect(node('EspStart')).toMatchObject({
      type: 'startEvent',
      parentId: 'Esp',
      data: {
        interrupting: false,
        event: { type: 'timer', timer: { type: 'duration', value: 'PT1H' } },
      },
    });
    expect(node('ErrStart')).toMatchObject({
      parentId: 'Err',
      data: { interrupting: true, event: { type: 'error' } },
    });
    // A start event elsewhere carries no interrupting flag.
    expect(node('S')?.data).toEqual({});
  });

  it('imports conditional catch, boundary and event subprocess start events', async () => {
    const cond = (c: string) =>
      `<bpmn:conditionalEventDefinition><bpmn:condition xsi:type="bpmn:tFormalExpression">${c}</bpmn:condition></bpmn:conditionalEventDefinition>`;
    const xml = doc(`<bpmn:startEvent id="S" />
      <bpmn:intermediateCatchEvent id="C">${cond('paid = true')}</bpmn:intermediateCatchEvent>
      <bpmn:userTask id="T" />
      <bpmn:boundaryEvent id="B" attachedToRef="T" cancelActivity="false">${cond('risk &gt; 80')}</bpmn:boundaryEvent>
      <bpmn:subProcess id="Esp" triggeredByEvent="true">
        <bpmn:startEvent id="EspStart">${cond('level &gt; 5')}</bpmn:startEvent>
      </bpmn:subProcess>
      <bpmn:intermediateCatchEvent id="Empty"><bpmn:conditionalEventDefinition /></bpmn:intermediateCatchEvent>`);
    const { definition } = await imported(xml);
    const node = (id: string) => definition.nodes.find((n) => n.id === id);
    expect(node('C')).toMatchObject({
      type: 'intermediateConditionalEvent',
      data: { condition: 'paid = true' },
    });
    expect(node('B')).toMatchObject({
      data: { interrupting: false, event: { type: 'conditional', condition: 'risk > 80' } },
    });
    expect(node('EspStart')).toMatchObject({
      data: { interrupting: true, event: { type: 'conditional', condition: 'level > 5' } },
    });
    expect(node('Empty')).toMatchObject({ type: 'unsupported' });
  });

  it('imports signal throw, end, catch, boundary and event subprocess start events by signal name', async () => {
    const sig = '<bpmn:signalEventDefinition signalRef="Sig_Recall" />';
    const xml = doc(
      `<bpmn:startEvent id="S" />
      <bpmn:intermediateThrowEvent id="Throw">${sig}</bpmn:intermediateThrowEvent>
      <bpmn:endEvent id="End">${sig}</bpmn:endEvent>
      <bpmn:intermediateCatchEvent id="Catch">${sig}</bpmn:intermediateCatchEvent>
      <bpmn:userTask id="T" />
      <bpmn:boundaryEvent id="B" attachedToRef="T">${sig}</bpmn:boundaryEvent>
      <bpmn:subProcess id="Esp" triggeredByEvent="true">
        <bpmn:startEvent id="EspStart" isInterrupting="false">${sig}</bpmn:startEvent>
      </bpmn:subProcess>
      <bpmn:intermediateCatchEvent id="Nameless"><bpmn:signalEventDefinition /></bpmn:intermediateCatchEvent>`,
      '<bpmn:signal id="Sig_Recall" name="ProductRecall" />',
    );
    const { definition } = await imported(xml);
    const node = (id: string) => definition.nodes.find((n) => n.id === id);
    const signal = { type: 'signal', signal: 'ProductRecall' };
    expect(node('Throw')).toMatchObject({
      type: 'intermediateThrowEvent',
      data: { event: signal },
    });
    expect(node('End')).toMatchObject({ type: 'endEvent', data: { event: signal } });
    expect(node('Catch')).toMatchObject({
      type: 'intermediateSignalEvent',
      data: { signal: 'ProductRecall' },
    });
    expect(node('B')).toMatchObject({ data: { interrupting: true, event: signal } });
    expect(node('EspStart')).toMatchObject({ data: { interrupting: false, event: signal } });
    expect(node('Nameless')).toMatchObject({ type: 'unsupported' });
  });

  it('imports link throw and catch events by link name', async () => {
    const xml = doc(`<bpmn:startEvent id="S" />
      <bpmn:intermediateThrowEvent id="Go"><bpmn:linkEventDefinition name="Next" /></bpmn:intermediateThrowEvent>
      <bpmn:intermediateCatchEvent id="Here"><bpmn:linkEventDefinition name="Next" /></bpmn:intermediateCatchEvent>
      <bpmn:intermediateThrowEvent id="Nameless"><bpmn:linkEventDefinition /></bpmn:intermediateThrowEvent>`);
    const { definition } = await imported(xml);
    const node = (id: string) => definition.nodes.find((n) => n.id === id);
    expect(node('Go')).toMatchObject({
      type: 'intermediateThrowEvent',
      data: { event: { type: 'link', link: 'Next' } },
    });
    expect(node('Here')).toMatchObject({ type: 'intermediateLinkEvent', data: { link: 'Next' } });
    expect(node('Nameless')).toMatchObject({ type: 'unsupported' });
  });

  it('imports escalation throw, end, boundary and event subprocess start events by escalation code', async () => {
    const xml = doc(
      `<bpmn:startEvent id="S" />
      <bpmn:subProcess id="Sub">
        <bpmn:intermediateThrowEvent id="Throw"><bpmn:escalationEventDefinition escalationRef="Esc_A" /></bpmn:intermediateThrowEvent>
        <bpmn:endEvent id="End"><bpmn:escalationEventDefinition escalationRef="Esc_B" /></bpmn:endEvent>
        <bpmn:intermediateThrowEvent id="Bare"><bpmn:escalationEventDefinition /></bpmn:intermediateThrowEvent>
      </bpmn:subProcess>
      <bpmn:boundaryEvent id="B" attachedToRef="Sub" cancelActivity="false"><bpmn:escalationEventDefinition escalationRef="Esc_A" /></bpmn:boundaryEvent>
      <bpmn:subProcess id="Esp" triggeredByEvent="true">
        <bpmn:startEvent id="EspStart" isInterrupting="false"><bpmn:escalationEventDefinition /></bpmn:startEvent>
      </bpmn:subProcess>`,
      '<bpmn:escalation id="Esc_A" escalationCode="A" /><bpmn:escalation id="Esc_B" escalationCode="B" />',
    );
    const { definition } = await imported(xml);
    const node = (id: string) => definition.nodes.find((n) => n.id === id);
    expect(node('Throw')).toMatchObject({
      type: 'intermediateThrowEvent',
      data: { event: { type: 'escalation', escalationCode: 'A' } },
    });
    expect(node('End')).toMatchObject({
      type: 'endEvent',
      data: { event: { type: 'escalation', escalationCode: 'B' } },
    });
    expect(node('B')).toMatchObject({
      type: 'boundaryEvent',
      data: { interrupting: false, event: { type: 'escalation', escalationCode: 'A' } },
    });
    expect(node('EspStart')).toMatchObject({
      data: { interrupting: false, event: { type: 'escalation' } },
    });
    // A throw without an escalation code throws nothing Ameide can route: kept, reported.
    expect(node('Bare')).toMatchObject({
      type: 'unsupported',
      data: { bpmnType: 'bpmn:IntermediateThrowEvent' },
    });
  });
});

describe('importBpmn: failures and edge cases', () => {
  it.each([
    '',
    'garbage',
    '<a/>',
    '<<<>>>',
    '<?xml version="1.0"?><bpmn:definitions xmlns:bpmn="x"><oops></bpmn:definitions>',
    '{"json": true}',
  ])('fails on %j with an AM100 diagnostic', async (xml) => {
    const result = await importBpmn(xml);
    expect(result.ok).toBe(false);
    expect(result.diagnostics[0]).toMatchObject({ code: 'AM100', severity: 'error' });
  });

  it('fails without a process (AM101)', async () => {
    const result = await importBpmn(`<bpmn:definitions ${NS} id="D" targetNamespace="t" />`);
    expect(result.ok).toBe(false);
    expect(codes(result.diagnostics)).toEqual(['AM101:(document)']);
  });

  it('imports the first executable process and names the others (AM104)', async () => {
    const xml = `<bpmn:definitions ${NS} id="D" targetNamespace="t"><bpmn:process id="A" isExecutable="false" /><bpmn:process id="B" isExecutable="true"><bpmn:startEvent id="S" /></bpmn:process></bpmn:definitions>`;
    const { definition, diagnostics } = await imported(xml);
    expect(definition.id).toBe('B');
    expect(codes(diagnostics)).toEqual(['AM104:A', 'AM105:S']);
    const other = await importBpmn(xml, { processId: 'A' });
    expect(other.ok && other.definition.id).toBe('A');
  });

  it('keeps the pool and lanes, and reports other pools and message flows', async () => {
    const xml = `<bpmn:definitions ${NS} xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" id="D" targetNamespace="t">
      <bpmn:collaboration id="C"><bpmn:participant id="Pool" name="Sales" processRef="P" /><bpmn:participant id="Customer" name="Customer" /><bpmn:messageFlow id="MF" sourceRef="Customer" targetRef="S" /></bpmn:collaboration>
      <bpmn:process id="P"><bpmn:laneSet id="LS"><bpmn:lane id="L1" name="Rep"><bpmn:flowNodeRef>S</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet><bpmn:startEvent id="S" /></bpmn:process>
      <bpmndi:BPMNDiagram id="DI"><bpmndi:BPMNPlane id="PL" bpmnElement="C">
        <bpmndi:BPMNShape id="Pool_di" bpmnElement="Pool"><dc:Bounds x="0" y="0" width="600" height="200" /></bpmndi:BPMNShape>
        <bpmndi:BPMNShape id="L1_di" bpmnElement="L1"><dc:Bounds x="30" y="0" width="570" height="200" /></bpmndi:BPMNShape>
        <bpmndi:BPMNShape id="S_di" bpmnElement="S"><dc:Bounds x="100" y="80" width="36" height="36" /></bpmndi:BPMNShape>
      </bpmndi:BPMNPlane></bpmndi:BPMNDiagram></bpmn:definitions>`;
    const { definition, diagnostics } = await imported(xml);
    expect(definition.participant).toEqual({
      id: 'Pool',
      name: 'Sales',
      position: { x: 0, y: 0 },
      width: 600,
      height: 200,
    });
    expect(definition.lanes).toEqual([
      { id: 'L1', name: 'Rep', nodeIds: ['S'], position: { x: 30, y: 0 }, width: 570, height: 200 },
    ]);
    expect(codes(diagnostics)).toEqual(['AM104:Customer', 'AM106:MF']);
    const again = await imported(await exportBpmn(definition));
    expect(again.definition).toStrictEqual(definition);
  });

  it('reports missing layout (AM105), invalid bindings (AM107) and unresolved references (AM108)', async () => {
    const xml = doc(
      `<bpmn:startEvent id="S" />
       <bpmn:serviceTask id="T"><bpmn:extensionElements><ameide:agentBinding agent="a" riskTier="extreme" /></bpmn:extensionElements></bpmn:serviceTask>
       <bpmn:sequenceFlow id="F" sourceRef="S" targetRef="Nowhere" />`,
    );
    const { definition, diagnostics } = await imported(xml);
    expect(codes(diagnostics)).toEqual(['AM108:F', 'AM107:T', 'AM105:S', 'AM105:T']);
    expect(definition.nodes[1]).toMatchObject({ type: 'agentTask', data: {} });
    expect(definition.edges[0]).toMatchObject({ source: 'S', target: 'Nowhere' });
    expect(codes(lintProcessDefinition(definition).diagnostics)).toContain('AM010:F');
  });

  it('refuses ids Ameide cannot use (AM109) with the field path', async () => {
    const result = await importBpmn(doc('<bpmn:startEvent id="__proto__" />'));
    expect(result.ok).toBe(false);
    expect(result.diagnostics.at(-1)).toMatchObject({ code: 'AM109', path: 'nodes[0].id' });
  });
});

describe('ameide moddle descriptor', () => {
  it('is published as JSON equal to the exported object', () => {
    const json: unknown = JSON.parse(
      readFileSync(new URL('./ameide-moddle.json', import.meta.url), 'utf8'),
    );
    expect(json).toEqual(ameideModdleDescriptor);
  });
});

describe('importBpmn: multi-instance', () => {
  it('maps Camunda 8 zeebe:loopCharacteristics and completionCondition, and exports them back', async () => {
    const NS_ZEEBE = `${NS} xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"`;
    const xml = `<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions ${NS_ZEEBE} id="D" targetNamespace="t"><bpmn:process id="P" isExecutable="true">
      <bpmn:startEvent id="S" /><bpmn:scriptTask id="X" scriptFormat="feel" ameide:resultVariable="doubled"><bpmn:multiInstanceLoopCharacteristics isSequential="true">
        <bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="= items" inputElement="item" outputCollection="results" outputElement="= doubled" /></bpmn:extensionElements>
        <bpmn:completionCondition xsi:type="bpmn:tFormalExpression">= numberOfCompletedInstances &gt;= 2</bpmn:completionCondition>
      </bpmn:multiInstanceLoopCharacteristics><bpmn:script>item * 2</bpmn:script></bpmn:scriptTask></bpmn:process></bpmn:definitions>`;
    const { definition, diagnostics } = await imported(xml);
    const node = definition.nodes.find((n) => n.id === 'X')!;
    expect(node.type).toBe('scriptTask');
    expect(node.data).toMatchObject({
      multiInstance: {
        sequential: true,
        inputCollection: 'items',
        inputElement: 'item',
        outputCollection: 'results',
        outputElement: 'doubled',
        completionCondition: 'numberOfCompletedInstances >= 2',
      },
    });
    expect(
      diagnostics.some(
        (d) => d.code === 'AM103' && d.message.includes('zeebe:loopCharacteristics'),
      ),
    ).toBe(true);
    const again = await imported(await exportBpmn(definition));
    expect(again.definition.nodes.find((n) => n.id === 'X')!.data).toEqual(node.data);
  });

  it('round-trips ameide:multiInstance on every kind of activity', async () => {
    const mi = {
      inputCollection: 'orders',
      inputElement: 'order',
      outputCollection: 'confirmations',
      outputElement: '{ id: order.id }',
      maxConcurrency: 7,
    };
    const definition = {
      schemaVersion: 1 as const,
      id: 'P',
      variables: [],
      lanes: [],
      nodes: [
        { id: 'S', type: 'startEvent' as const, position: { x: 0, y: 0 }, data: {} },
        {
          id: 'T',
          type: 'userTask' as const,
          position: { x: 100, y: 0 },
          data: { name: 'Review', multiInstance: mi },
        },
        {
          id: 'Sub',
          type: 'subProcess' as const,
          position: { x: 300, y: 0 },
          width: 300,
          height: 200,
          data: { multiInstance: { inputCollection: '[1, 2]', sequential: true } },
        },
        {
          id: 'SS',
          type: 'startEvent' as const,
          position: { x: 20, y: 20 },
          parentId: 'Sub',
          data: {},
        },
        {
          id: 'SE',
          type: 'endEvent' as const,
          position: { x: 120, y: 20 },
          parentId: 'Sub',
          data: {},
        },
        { id: 'E', type: 'endEvent' as const, position: { x: 700, y: 0 }, data: {} },
      ],
      edges: [
        { id: 'F1', source: 'S', target: 'T', data: {} },
        { id: 'F2', source: 'T', target: 'Sub', data: {} },
        { id: 'F3', source: 'SS', target: 'SE', data: {} },
        { id: 'F4', source: 'Sub', target: 'E', data: {} },
      ],
    };
    const xml = await exportBpmn(definition);
    expect(xml).toContain('ameide:multiInstance');
    const { definition: back } = await imported(xml);
    expect(back.nodes.find((n) => n.id === 'T')!.data).toEqual({
      name: 'Review',
      multiInstance: mi,
    });
    expect(back.nodes.find((n) => n.id === 'Sub')!.data).toEqual({
      multiInstance: { inputCollection: '[1, 2]', sequential: true },
    });
    expect(lintProcessDefinition(back).diagnostics).toEqual([]);
  });
});
