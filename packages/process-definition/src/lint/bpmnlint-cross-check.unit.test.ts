import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Linter } from 'bpmnlint';
import recommended from 'bpmnlint/config/recommended.js';
import NodeResolver from 'bpmnlint/lib/resolver/node-resolver.js';
import fc from 'fast-check';
import { BpmnModdle } from 'bpmn-moddle';
import { describe, expect, it } from 'vitest';
import {
  createDefinitionResolver,
  exportBpmn,
  importBpmn,
  lintProcessDefinition,
  type Diagnostic,
  type ProcessDefinition,
  type ProcessEdge,
  type ProcessNode,
} from '@ameide/process-definition';
import {
  generateProcessDefinition,
  salesServiceRegistry,
} from '@ameide/process-definition/testing';
import { BPMNLINT_RULE_MAP } from './bpmnlint-rule-map.js';

const EXAMPLES = fileURLToPath(new URL('../../../../examples/processes/', import.meta.url));
const options = {
  services: salesServiceRegistry,
  definitions: createDefinitionResolver({ 'credit-check': [1], 'credit-limit-check': [1] }),
};

interface Report {
  readonly rule: string;
  readonly id: string;
  readonly message: string;
}

/** bpmnlint's recommended config on the exported XML (a fresh linter: rules keep state). */
async function bpmnlint(def: ProcessDefinition): Promise<Report[]> {
  const { rootElement } = await new BpmnModdle().fromXML(await exportBpmn(def));
  const linter = new Linter({
    config: { extends: 'bpmnlint:recommended' },
    resolver: new NodeResolver(),
  });
  const results = await linter.lint(rootElement);
  return Object.entries(results).flatMap(([rule, reports]) =>
    reports.map((r) => ({ rule, id: r.id ?? '', message: r.message })),
  );
}

/** The element, its flows, their other ends, its children and its level (parent or process). */
function neighbourhood(def: ProcessDefinition, id: string): Set<string> {
  const near = new Set([id]);
  for (const e of def.edges) {
    if (e.id === id) near.add(e.source).add(e.target);
    if (e.source === id || e.target === id) near.add(e.id).add(e.source).add(e.target);
  }
  for (const n of def.nodes) {
    if (n.parentId === id || (id === def.id && n.parentId === undefined)) near.add(n.id);
    if (n.id === id) near.add(n.parentId ?? def.id); // its level (AM001 reports on the level)
  }
  return near;
}

/** Every structural bpmnlint report that Ameide's lint does not also report. */
async function unmatched(def: ProcessDefinition): Promise<string[]> {
  const ours: readonly Diagnostic[] = lintProcessDefinition(def, options).diagnostics;
  const missing: string[] = [];
  for (const r of await bpmnlint(def)) {
    const mapping = BPMNLINT_RULE_MAP[r.rule];
    if (!mapping) {
      missing.push(`${r.rule} (not in the rule map): ${r.id} ${r.message}`);
      continue;
    }
    if ('permitted' in mapping) continue;
    if ('never' in mapping) {
      missing.push(`${r.rule} must never fire (${mapping.never}): ${r.id} ${r.message}`);
      continue;
    }
    const near = neighbourhood(def, r.id);
    const hit = ours.some((d) => mapping.codes.includes(d.code) && near.has(d.elementId));
    if (!hit)
      missing.push(
        `${r.rule} on '${r.id}' (${r.message}) has no ${mapping.codes.join('/')} near it; Ameide reported ${ours.map((d) => `${d.code}:${d.elementId}`).join(' ') || 'nothing'}`,
      );
  }
  return missing;
}

/** Ways to break a generated model (what a person does in a modeller). */
const MUTATIONS = [
  'dropEdge',
  'duplicateEdge',
  'orphanTask',
  'dropStart',
  'secondStart',
  'extraFlow',
  'dropCondition',
  'timerStartInSubProcess',
  'endToTask',
  'complexGateway',
  'dropEnd',
] as const;
type Mutation = (typeof MUTATIONS)[number];

function mutate(def: ProcessDefinition, mutation: Mutation, pick: number): ProcessDefinition {
  const nodes: ProcessNode[] = [...def.nodes];
  let edges: ProcessEdge[] = [...def.edges];
  const choose = <T>(items: readonly T[]): T | undefined =>
    items.length === 0 ? undefined : items[pick % items.length];
  const top = nodes.filter((n) => n.parentId === undefined && n.type !== 'textAnnotation');
  const remove = (id: string): void => {
    nodes.splice(
      nodes.findIndex((n) => n.id === id),
      1,
    );
    edges = edges.filter((e) => e.source !== id && e.target !== id);
  };
  const fresh = `Mut_${mutation}_${pick}`;
  switch (mutation) {
    case 'dropEdge': {
      const e = choose(edges);
      if (e) edges = edges.filter((x) => x !== e);
      break;
    }
    case 'duplicateEdge': {
      const e = choose(edges);
      if (e)
        edges.push({
          ...e,
          id: fresh,
          data: { ...e.data, isDefault: undefined },
        });
      break;
    }
    case 'orphanTask':
      nodes.push({ id: fresh, type: 'userTask', position: { x: 10, y: 500 }, data: {} });
      break;
    case 'dropStart': {
      const s = choose(top.filter((n) => n.type === 'startEvent'));
      if (s) remove(s.id);
      break;
    }
    case 'secondStart': {
      const target = choose(top.filter((n) => n.type === 'userTask' || n.type === 'serviceTask'));
      nodes.push({ id: fresh, type: 'startEvent', position: { x: 10, y: 600 }, data: {} });
      if (target) edges.push({ id: `${fresh}_flow`, source: fresh, target: target.id, data: {} });
      break;
    }
    case 'extraFlow': {
      const source = choose(top.filter((n) => n.type === 'serviceTask' || n.type === 'userTask'));
      const target = choose(top.filter((n) => n.type === 'endEvent'));
      if (source && target)
        edges.push({ id: fresh, source: source.id, target: target.id, data: {} });
      break;
    }
    case 'dropCondition': {
      const e = choose(edges.filter((x) => x.data.condition !== undefined));
      if (e) {
        const { condition: _c, ...data } = e.data;
        edges = edges.map((x) => (x === e ? { ...x, data } : x));
      }
      break;
    }
    case 'timerStartInSubProcess': {
      const s = choose(nodes.filter((n) => n.type === 'startEvent' && n.parentId !== undefined));
      if (s)
        nodes[nodes.indexOf(s)] = {
          ...s,
          type: 'startEvent',
          data: { event: { type: 'timer', timer: { type: 'duration', value: 'PT1M' } } },
        };
      break;
    }
    case 'endToTask': {
      const end = choose(nodes.filter((n) => n.type === 'endEvent'));
      if (end)
        nodes[nodes.indexOf(end)] = {
          id: end.id,
          type: 'userTask',
          position: end.position,
          ...(end.parentId !== undefined ? { parentId: end.parentId } : {}),
          data: {},
        };
      break;
    }
    case 'complexGateway': {
      const g = choose(nodes.filter((n) => n.type === 'exclusiveGateway'));
      if (g)
        nodes[nodes.indexOf(g)] = {
          id: g.id,
          type: 'unsupported',
          position: g.position,
          ...(g.parentId !== undefined ? { parentId: g.parentId } : {}),
          data: { bpmnType: 'bpmn:ComplexGateway' },
        };
      break;
    }
    case 'dropEnd': {
      const end = choose(top.filter((n) => n.type === 'endEvent'));
      if (end) remove(end.id);
      break;
    }
  }
  return { ...def, nodes, edges };
}

describe('bpmnlint (recommended) as a second opinion on Ameide lint', () => {
  it('maps every rule of the recommended config, with codes or a reason', () => {
    expect(Object.keys(BPMNLINT_RULE_MAP).sort()).toEqual(Object.keys(recommended.rules).sort());
  });

  describe.each(
    readdirSync(EXAMPLES)
      .filter((f) => f.endsWith('.bpmn'))
      .sort(),
  )('example %s', (file) => {
    it('every structural bpmnlint report is also an Ameide diagnostic', async () => {
      const imported = await importBpmn(readFileSync(join(EXAMPLES, file), 'utf8'));
      if (!imported.ok) throw new Error(JSON.stringify(imported.diagnostics));
      expect(await unmatched(imported.definition)).toEqual([]);
    });
  });

  it('agrees on generated models broken the way people break them', async () => {
    const fired = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 8, max: 40 }),
        fc.array(fc.tuple(fc.constantFrom(...MUTATIONS), fc.nat()), { minLength: 1, maxLength: 3 }),
        async (seed, size, mutations) => {
          let def = generateProcessDefinition(size, seed);
          for (const [m, pick] of mutations) def = mutate(def, m, pick);
          for (const r of await bpmnlint(def)) fired.add(r.rule);
          expect(await unmatched(def)).toEqual([]);
        },
      ),
      { numRuns: Number(process.env.AMEIDE_FUZZ_RUNS ?? 60) },
    );
    // The mutations reach the structural rules (the property is not vacuous).
    for (const rule of [
      'no-duplicate-sequence-flows',
      'no-implicit-end',
      'no-implicit-start',
      'no-disconnected',
      'start-event-required',
      'no-implicit-split',
    ])
      expect(fired).toContain(rule);
  });

  it('catches what bpmnlint reports in a hand-made broken model (duplicate flow, implicit end)', async () => {
    const def = generateProcessDefinition(10, 3);
    const broken = mutate(mutate(def, 'duplicateEdge', 0), 'orphanTask', 1);
    const rules = new Set((await bpmnlint(broken)).map((r) => r.rule));
    expect(rules).toContain('no-duplicate-sequence-flows');
    expect(rules).toContain('no-disconnected');
    const codes = lintProcessDefinition(broken, options).diagnostics.map((d) => d.code);
    expect(codes).toContain('AM040');
    expect(codes).toContain('AM007');
    expect(await unmatched(broken)).toEqual([]);
  });
});
