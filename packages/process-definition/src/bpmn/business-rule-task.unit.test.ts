import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileProcessDefinition,
  createDefinitionResolver,
  exportBpmn,
  importBpmn,
  lintProcessDefinition,
  type ProcessDefinition,
} from '@ameide/process-definition';

const NS =
  'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:ameide="https://ameide.io/schema/bpmn/1.0" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';
const doc = (task: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions ${NS} id="D" targetNamespace="t"><bpmn:process id="P" isExecutable="true">
    <bpmn:startEvent id="S"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    ${task}
    <bpmn:endEvent id="E"><bpmn:incoming>F2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="S" targetRef="R" /><bpmn:sequenceFlow id="F2" sourceRef="R" targetRef="E" />
  </bpmn:process></bpmn:definitions>`;

/** The import, without the missing-layout notes of these DI-less documents. */
async function imported(xml: string) {
  const result = await importBpmn(xml);
  if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
  return { ...result, diagnostics: result.diagnostics.filter((d) => d.code !== 'AM105') };
}

const node = (def: ProcessDefinition, id: string) => def.nodes.find((n) => n.id === id);

describe('business rule tasks in BPMN', () => {
  it('imports ameide:decisionBinding and compiles it to a plan node that names the decision', async () => {
    const { definition, diagnostics } = await imported(
      doc(`<bpmn:businessRuleTask id="R" name="Discount">
        <bpmn:extensionElements><ameide:decisionBinding decision="order-discount" version="2" resultVariable="discount">
          <ameide:input>{ tier: customer.tier, total: orderTotal }</ameide:input>
        </ameide:decisionBinding></bpmn:extensionElements>
        <bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing></bpmn:businessRuleTask>`),
    );
    expect(diagnostics).toEqual([]);
    expect(node(definition, 'R')).toMatchObject({
      type: 'businessRuleTask',
      data: {
        name: 'Discount',
        binding: {
          decision: 'order-discount',
          version: 2,
          input: '{ tier: customer.tier, total: orderTotal }',
          resultVariable: 'discount',
        },
      },
    });
    const compiled = compileProcessDefinition(definition, {
      decisions: createDefinitionResolver({ 'order-discount': [1, 2] }),
    });
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.diagnostics));
    expect(compiled.plan.nodes['R']).toMatchObject({
      type: 'businessRuleTask',
      decision: {
        decision: 'order-discount',
        version: 2,
        input: { feel: '{ tier: customer.tier, total: orderTotal }' },
        resultVariable: 'discount',
      },
      boundaryEvents: [],
    });
    const unpublished = compileProcessDefinition(definition, {
      decisions: createDefinitionResolver({ 'order-discount': [1] }),
    });
    expect(unpublished.ok).toBe(false);
    expect(unpublished.diagnostics.map((d) => [d.code, d.elementId, d.message])).toEqual([
      ['AM031', 'R', "no published decision definition 'order-discount' at version 2"],
    ]);
  });

  it('maps Camunda 8 zeebe:calledDecision, and reports a task without a binding', async () => {
    const zeebe = await imported(
      doc(`<bpmn:businessRuleTask id="R"><bpmn:extensionElements>
        <zeebe:calledDecision decisionId="credit-risk" resultVariable="risk" /></bpmn:extensionElements>
        <bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing></bpmn:businessRuleTask>`),
    );
    expect(node(zeebe.definition, 'R')?.data).toEqual({
      binding: {
        decision: 'credit-risk',
        version: 'latest',
        decisionId: 'credit-risk',
        resultVariable: 'risk',
      },
    });
    expect(zeebe.diagnostics.map((d) => [d.code, d.severity, d.message])).toEqual([
      ['AM103', 'info', 'zeebe:calledDecision mapped to the decision binding'],
    ]);
    const bare = await imported(
      doc(
        '<bpmn:businessRuleTask id="R"><bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing></bpmn:businessRuleTask>',
      ),
    );
    expect(node(bare.definition, 'R')?.type).toBe('businessRuleTask');
    expect(
      lintProcessDefinition(bare.definition).diagnostics.map((d) => [
        d.code,
        d.elementId,
        d.message,
      ]),
    ).toEqual([
      [
        'AM024',
        'R',
        "businessRuleTask 'R' has no binding: name the decision definition it evaluates and the variable receiving the result",
      ],
    ]);
  });

  it('refuses an invalid binding on import, naming the field', async () => {
    const bad = await imported(
      doc(`<bpmn:businessRuleTask id="R"><bpmn:extensionElements>
        <ameide:decisionBinding decision="order-discount" version="latest" resultVariable="not a name" /></bpmn:extensionElements>
        <bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing></bpmn:businessRuleTask>`),
    );
    expect(bad.diagnostics.map((d) => [d.code, d.elementId])).toEqual([['AM107', 'R']]);
    expect(bad.diagnostics[0]!.message).toMatch(/field resultVariable: must be an identifier/);
  });

  const bindingArb = fc.record(
    {
      decision: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
      version: fc.oneof(fc.constant('latest' as const), fc.integer({ min: 1, max: 99 })),
      decisionId: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,12}$/),
      input: fc.constantFrom(
        '{ a: 1 }',
        '{ total: order.total * 1.2, tier: "gold" }',
        'context put({}, "x", y)',
      ),
      resultVariable: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/),
    },
    { requiredKeys: ['decision', 'version', 'resultVariable'] },
  );

  it('round-trips: definition → BPMN → definition keeps the task and its binding', async () => {
    await fc.assert(
      fc.asyncProperty(
        bindingArb,
        fc.option(fc.string({ maxLength: 30 }), { nil: undefined }),
        async (binding, name) => {
          const definition: ProcessDefinition = {
            schemaVersion: 1,
            id: 'P',
            variables: [],
            lanes: [],
            nodes: [
              {
                id: 'S',
                type: 'startEvent',
                position: { x: 0, y: 0 },
                width: 36,
                height: 36,
                data: {},
              },
              {
                id: 'R',
                type: 'businessRuleTask',
                position: { x: 100, y: 0 },
                width: 100,
                height: 80,
                data: { ...(name !== undefined ? { name } : {}), binding },
              },
              {
                id: 'E',
                type: 'endEvent',
                position: { x: 300, y: 0 },
                width: 36,
                height: 36,
                data: {},
              },
            ],
            edges: [
              {
                id: 'F1',
                source: 'S',
                target: 'R',
                data: {
                  waypoints: [
                    { x: 36, y: 18 },
                    { x: 100, y: 18 },
                  ],
                },
              },
              {
                id: 'F2',
                source: 'R',
                target: 'E',
                data: {
                  waypoints: [
                    { x: 200, y: 18 },
                    { x: 300, y: 18 },
                  ],
                },
              },
            ],
          };
          const xml = await exportBpmn(definition);
          expect(xml).toContain('<bpmn:businessRuleTask id="R"');
          const again = await imported(xml);
          expect(again.diagnostics).toEqual([]);
          expect(node(again.definition, 'R')).toEqual(definition.nodes[1]);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('the credit-application example evaluates the credit-risk decision', async () => {
    const xml = readFileSync(
      new URL('../../../../examples/processes/credit-application.bpmn', import.meta.url),
      'utf8',
    );
    const { definition } = await imported(xml);
    expect(node(definition, 'Task_AssessRisk')?.data).toMatchObject({
      binding: { decision: 'credit-risk', decisionId: 'credit-risk', resultVariable: 'risk' },
    });
  });
});
