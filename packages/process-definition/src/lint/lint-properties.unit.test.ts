import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  compileProcessDefinition,
  exportBpmn,
  importBpmn,
  lintProcessDefinition,
  orderProcessDefinition,
  parseProcessDefinition,
  type Diagnostic,
  type ProcessDefinition,
} from '@ameide/process-definition';
import {
  generateProcessDefinition,
  salesServiceRegistry,
} from '@ameide/process-definition/testing';

const options = { services: salesServiceRegistry };

/**
 * What BPMN XML can carry of a definition: references to missing or non-container elements
 * cannot be written (the linter reports them), `isDefault: false` equals no mark, and export
 * draws sizes and waypoints the random graphs leave out.
 */
function comparable(def: ProcessDefinition): unknown {
  const graph = new Map(def.nodes.map((n) => [n.id, n]));
  const container = (id: string | undefined) => {
    const p = id === undefined ? undefined : graph.get(id);
    return (
      p !== undefined &&
      (p.type === 'subProcess' ||
        (p.type === 'unsupported' && p.data.bpmnType === 'bpmn:SubProcess'))
    );
  };
  const inCycle = (id: string): boolean => {
    let current = graph.get(id)?.parentId;
    for (let i = 0; i <= def.nodes.length && current !== undefined && container(current); i++) {
      if (current === id) return true;
      current = graph.get(current)?.parentId;
    }
    return false;
  };
  return {
    ...def,
    nodes: def.nodes.map(({ width: _w, height: _h, parentId, ...n }) => ({
      ...n,
      ...(container(parentId) && !inCycle(n.id) ? { parentId } : {}),
      data: JSON.parse(
        JSON.stringify(
          n.type === 'boundaryEvent' && !graph.has(n.data.attachedTo)
            ? { ...n.data, attachedTo: '' }
            : n.data,
        ),
        // Timer values are trimmed on import; XML readers drop whitespace-only text.
        (key, value: unknown) =>
          typeof value === 'string' && (key === 'value' || value.trim() === '') && key !== 'name'
            ? value.trim()
            : value,
      ) as unknown,
    })),
    edges: def.edges.map(({ data: { waypoints: _p, isDefault, ...data }, ...e }) => ({
      ...e,
      source: graph.has(e.source) ? e.source : '',
      target: graph.has(e.target) ? e.target : '',
      data: {
        ...data,
        ...(data.condition !== undefined && data.condition.trim() === '' ? { condition: '' } : {}),
        ...(isDefault === true ? { isDefault } : {}),
      },
    })),
  };
}

/** Every finding names a rule and an element; no rule crashed (AM201 / "failed:"). */
function expectWellFormed(diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) {
    expect(d.code).toMatch(/^AM[0-2]\d\d$/);
    expect(['error', 'warning', 'info']).toContain(d.severity);
    expect(typeof d.elementId).toBe('string');
    expect(d.elementId.length).toBeGreaterThan(0);
    expect(d.code).not.toBe('AM201');
    expect(d.message).not.toMatch(/^rule AM\d+ \(.*\) failed/);
  }
}

function checkLintAndCompile(input: unknown): void {
  const lint = lintProcessDefinition(input, options);
  expectWellFormed(lint.diagnostics);
  const compiled = compileProcessDefinition(input, options);
  expectWellFormed(compiled.diagnostics);
  expect(compiled.ok).toBe(lint.errorCount === 0);
  if (lint.errorCount > 0)
    expect(compiled.diagnostics.some((d) => d.severity === 'error')).toBe(true);
}

const NODE_TYPES = [
  'startEvent',
  'endEvent',
  'serviceTask',
  'userTask',
  'agentTask',
  'scriptTask',
  'exclusiveGateway',
  'parallelGateway',
  'inclusiveGateway',
  'eventBasedGateway',
  'intermediateTimerEvent',
  'intermediateMessageEvent',
  'boundaryEvent',
  'subProcess',
  'callActivity',
  'textAnnotation',
  'unsupported',
] as const;

const feelish = fc.oneof(
  fc.constantFrom('amount > 1', 'orderId', '{ a: b }', 'a +', ')', ''),
  fc.string({ maxLength: 12 }),
);
const timerish = fc.oneof(
  fc.constantFrom('PT1H', 'P1D', 'R3/PT1M', 'PT', 'nope'),
  fc.string({ maxLength: 8 }),
);

function dataFor(
  type: (typeof NODE_TYPES)[number],
  count: number,
): fc.Arbitrary<Record<string, unknown>> {
  const ref = fc.nat(count).map((i) => `N${i}`);
  switch (type) {
    case 'serviceTask':
      return fc.record(
        {
          binding: fc.record({
            service: fc.constantFrom('ameide.sales.v1.OrderService', 'x', 'a.b.C'),
            method: fc.constantFrom('CreateOrder', 'Nope', '1x'),
            input: feelish,
          }),
        },
        { requiredKeys: [] },
      );
    case 'userTask':
      return fc.record(
        {
          binding: fc.record(
            {
              candidateGroups: feelish,
              due: timerish,
              form: fc.constantFrom({ type: 'object' }, { type: 'strin' }, { properties: 1 }),
            },
            { requiredKeys: [] },
          ),
        },
        { requiredKeys: [] },
      );
    case 'agentTask':
      return fc.record(
        {
          binding: fc.record({
            agent: fc.constant('a'),
            version: fc.constantFrom('latest', 2),
            riskTier: fc.constantFrom('low', 'high'),
          }),
        },
        { requiredKeys: [] },
      );
    case 'scriptTask':
      return fc.record({ script: feelish });
    case 'callActivity':
      return fc.record(
        {
          binding: fc.record({
            definition: fc.constantFrom('credit-check', 'x'),
            version: fc.constantFrom('latest', 1),
          }),
        },
        { requiredKeys: [] },
      );
    case 'intermediateTimerEvent':
      return fc.record({
        timer: fc.record({ type: fc.constantFrom('duration', 'date', 'cycle'), value: timerish }),
      });
    case 'intermediateMessageEvent':
      return fc.record({
        message: fc.record({ name: fc.constantFrom('Paid', 'Shipped'), correlationKey: feelish }),
      });
    case 'boundaryEvent':
      return fc.record({
        attachedTo: ref,
        interrupting: fc.boolean(),
        event: fc.oneof(
          fc.record({
            type: fc.constant('timer'),
            timer: fc.record({ type: fc.constant('duration'), value: timerish }),
          }),
          fc.record({ type: fc.constant('error') }),
        ),
      });
    case 'endEvent':
      return fc.record(
        {
          event: fc.constantFrom(
            { type: 'terminate' },
            { type: 'compensate' },
            { type: 'error', errorCode: 'E' },
          ),
        },
        { requiredKeys: [] },
      );
    case 'startEvent':
      return fc.record(
        { event: fc.constantFrom({ type: 'timer', timer: { type: 'cycle', value: 'R/PT1H' } }) },
        { requiredKeys: [] },
      );
    case 'textAnnotation':
      return fc.record({ text: fc.string({ maxLength: 10 }) });
    case 'unsupported':
      return fc.record({
        bpmnType: fc.constantFrom('bpmn:ManualTask', 'bpmn:ComplexGateway', 'bpmn:Task'),
      });
    default:
      return fc.constant({});
  }
}

/** Random graphs: any node types, random parents, random edges with random conditions. */
const randomGraph = fc.integer({ min: 1, max: 14 }).chain((count) =>
  fc
    .record({
      nodes: fc.array(
        fc.constantFrom(...NODE_TYPES).chain((type) =>
          fc.record({
            type: fc.constant(type),
            data: dataFor(type, count),
            parent: fc.option(fc.nat(count), { nil: undefined }),
            name: fc.option(
              fc.oneof(
                fc.string({ unit: 'grapheme', maxLength: 8 }),
                fc.constantFrom('two\nlines', ' padded ', 'tab\there', 'a & <b>', '"q"'),
              ),
              { nil: undefined },
            ),
          }),
        ),
        { minLength: count, maxLength: count },
      ),
      edges: fc.array(
        fc.record({
          source: fc.nat(count),
          target: fc.nat(count),
          condition: fc.option(feelish, { nil: undefined }),
          isDefault: fc.option(fc.boolean(), { nil: undefined }),
        }),
        { maxLength: count * 2 },
      ),
    })
    .map(({ nodes, edges }) => ({
      schemaVersion: 1,
      id: 'random',
      nodes: nodes.map((n, i) => ({
        id: `N${i}`,
        type: n.type,
        position: { x: i * 10, y: 0 },
        ...(n.parent !== undefined ? { parentId: `N${n.parent}` } : {}),
        data:
          n.type === 'textAnnotation' || n.name === undefined
            ? n.data
            : { ...n.data, name: n.name },
      })),
      edges: edges.map((e, i) => ({
        id: `F${i}`,
        source: `N${e.source}`,
        target: `N${e.target}`,
        data: {
          ...(e.condition !== undefined ? { condition: e.condition } : {}),
          ...(e.isDefault !== undefined ? { isDefault: e.isDefault } : {}),
        },
      })),
    })),
);

describe('lint and compile properties (fast-check)', () => {
  it('never throw on random graphs, and every finding has a rule code', () => {
    fc.assert(
      fc.property(randomGraph, (def) => checkLintAndCompile(def)),
      { numRuns: 300 },
    );
  });

  it('export → import keeps random graphs, except references BPMN cannot write', async () => {
    await fc.assert(
      fc.asyncProperty(randomGraph, async (raw) => {
        const parsed = parseProcessDefinition(raw);
        if (!parsed.ok) return;
        const result = await importBpmn(await exportBpmn(parsed.definition));
        expectWellFormed(result.diagnostics);
        if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
        expect(comparable(result.definition)).toStrictEqual(
          comparable(orderProcessDefinition(parsed.definition)),
        );
      }),
      { numRuns: 150 },
    );
  });

  describe('random mutations of the examples', () => {
    const examples: ProcessDefinition[] = [];
    beforeAll(async () => {
      const dir = new URL('../../../../examples/processes/', import.meta.url);
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.bpmn'))) {
        const r = await importBpmn(readFileSync(new URL(file, dir), 'utf8'));
        if (r.ok) examples.push(r.definition);
      }
      examples.push(generateProcessDefinition(60, 11));
    });

    type Mutable = {
      nodes: Record<string, unknown>[];
      edges: Record<string, unknown>[];
      variables: unknown[];
    } & Record<string, unknown>;
    const mutation = fc.tuple(fc.nat(11), fc.nat(1000), fc.nat(1000), fc.string({ maxLength: 10 }));
    function mutate(def: Mutable, [op, a, b, s]: [number, number, number, string]): void {
      const node = def.nodes[a % Math.max(def.nodes.length, 1)];
      const other = def.nodes[b % Math.max(def.nodes.length, 1)];
      const edge = def.edges[a % Math.max(def.edges.length, 1)];
      switch (op) {
        case 0:
          def.nodes.splice(a % Math.max(def.nodes.length, 1), 1);
          break;
        case 1:
          def.edges.splice(a % Math.max(def.edges.length, 1), 1);
          break;
        case 2:
          if (edge && other) edge.target = other.id;
          break;
        case 3:
          if (node) node.type = NODE_TYPES[b % NODE_TYPES.length];
          break;
        case 4:
          if (edge) edge.data = { ...(edge.data as object), condition: s };
          break;
        case 5:
          if (node && other) node.parentId = other.id;
          break;
        case 6:
          if (node && other) node.id = other.id;
          break;
        case 7:
          if (edge) edge.data = { ...(edge.data as object), isDefault: true };
          break;
        case 8:
          if (node) node.data = { ...(node.data as object), timer: { type: 'cycle', value: s } };
          break;
        case 9:
          if (edge && other) edge.source = other.id;
          break;
        case 10:
          def.edges.push({
            id: `X${a}`,
            source: node?.id ?? 'x',
            target: other?.id ?? 'y',
            data: {},
          });
          break;
        default:
          if (node) delete node.parentId;
      }
    }

    it('never make lint or compile throw, and every finding has a rule code', () => {
      fc.assert(
        fc.property(
          fc.nat(100),
          fc.array(mutation, { minLength: 1, maxLength: 5 }),
          (which, mutations) => {
            const def = structuredClone(examples[which % examples.length]!) as unknown as Mutable;
            for (const m of mutations) mutate(def, m);
            checkLintAndCompile(def);
          },
        ),
        { numRuns: 400 },
      );
    });
  });
});
