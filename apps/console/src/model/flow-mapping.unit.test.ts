import { describe, expect, it } from 'vitest';
import { generateProcessDefinition } from '@ameide/process-definition/testing';
import {
  importBpmn,
  lintProcessDefinition,
  parseProcessDefinition,
} from '@ameide/process-definition';
import { readFileSync } from 'node:fs';
import {
  createFlowMapper,
  diagnosticsByElement,
  emptySelection,
  movesFromFlow,
  type ProcessNodeData,
} from './flow-mapping.js';
import { moveNodes, updateNodeData } from './edit-definition.js';
import { autoLayout } from './auto-layout.js';
import { needsLayout } from './needs-layout.js';
import { absoluteRect, nodeIndex } from './geometry.js';

const repoFile = (p: string) => readFileSync(new URL(`../../../../${p}`, import.meta.url), 'utf8');

async function imported(file: string) {
  const r = await importBpmn(repoFile(`examples/processes/${file}`));
  if (!r.ok) throw new Error('import failed');
  return r.definition;
}

describe('model ↔ React Flow mapping', () => {
  it('maps nodes with parents first, sizes, diagnostics and selection; flows carry gateway context', async () => {
    const d = await imported('order-lines-subprocess.bpmn');
    const diags = diagnosticsByElement(lintProcessDefinition(d).diagnostics);
    const { nodes, edges } = createFlowMapper().toFlow(d, diags, {
      nodes: new Set([d.nodes[0]!.id]),
      edges: new Set(),
    });
    const seen = new Set<string>();
    for (const n of nodes) {
      if (n.parentId) expect(seen.has(n.parentId)).toBe(true);
      seen.add(n.id);
      expect(n.width).toBeGreaterThan(0);
    }
    expect(nodes.filter((n) => n.selected).map((n) => n.id)).toEqual([d.nodes[0]!.id]);
    expect(edges).toHaveLength(d.edges.length);
    expect(nodes.filter((n) => n.type === 'lane')).toHaveLength(d.lanes.length);
  });

  it('draws the pools kept from an imported collaboration as read-only pools beside the own pool', async () => {
    const r = await importBpmn(
      repoFile('packages/process-definition/test/fixtures/camunda-modeler-collaboration.bpmn'),
    );
    if (!r.ok) throw new Error('import failed');
    const { nodes } = createFlowMapper().toFlow(r.definition, new Map(), emptySelection);
    const pools = nodes.filter((n) => n.type === 'pool');
    expect(
      pools.map((n) => `${n.id}:${String((n.data as { kept?: boolean }).kept ?? false)}`),
    ).toEqual([
      'pool:Participant_Sales:false',
      'pool:Participant_Warehouse:true',
      'pool:Participant_Customer:true',
    ]);
    const customer = pools.find((n) => n.id === 'pool:Participant_Customer')!;
    expect(customer).toMatchObject({
      position: { x: 160, y: -40 },
      width: 900,
      height: 60,
      draggable: false,
      selectable: false,
    });
    // A drag of a kept pool never becomes a model move.
    expect(movesFromFlow([{ id: customer.id, type: 'pool', position: { x: 0, y: 0 } }])).toEqual({
      nodes: [],
      lanes: [],
    });
  });

  it('re-uses unchanged React Flow objects after an edit (only the edited node is new)', () => {
    const d = generateProcessDefinition(500, 7);
    const mapper = createFlowMapper();
    const first = mapper.toFlow(d, new Map(), emptySelection);
    const target = d.nodes[10]!;
    const r = updateNodeData(d, target.id, { ...target.data, name: 'Renamed' });
    if (!r.ok) throw new Error(r.message);
    const second = mapper.toFlow(r.definition, new Map(), emptySelection);
    const changed = second.nodes.filter((n, i) => n !== first.nodes[i]).map((n) => n.id);
    expect(changed).toEqual([target.id]);
    expect(second.edges.every((e, i) => e === first.edges[i])).toBe(true);
    expect(
      (second.nodes.find((n) => n.id === target.id)!.data as ProcessNodeData).node.data,
    ).toMatchObject({ name: 'Renamed' });
  });

  it('turns dragged React Flow nodes back into model moves (lanes apart)', () => {
    const moves = movesFromFlow([
      { id: 'Task_1', type: 'userTask', position: { x: 10.4, y: 20.6 } },
      { id: 'Lane_1', type: 'lane', position: { x: 0, y: 0 } },
    ]);
    expect(moves).toEqual({
      nodes: [{ id: 'Task_1', position: { x: 10, y: 21 } }],
      lanes: [{ id: 'Lane_1', position: { x: 0, y: 0 } }],
    });
    const d = generateProcessDefinition(5, 1);
    const r = moveNodes(
      d,
      moves.nodes.map((m) => ({ ...m, id: d.nodes[1]!.id })),
    );
    expect(r.ok).toBe(true);
  });
});

describe('elk auto-layout', () => {
  it('lays out a generated 200-node graph left to right without overlaps and keeps it valid', async () => {
    const raw = generateProcessDefinition(200, 3);
    const flat = { ...raw, nodes: raw.nodes.map((n) => ({ ...n, position: { x: 0, y: 0 } })) };
    expect(needsLayout(flat)).toBe(true);
    const d = await autoLayout(flat);
    expect(needsLayout(d)).toBe(false);
    const index = nodeIndex(d);
    const rects = d.nodes
      .filter((n) => n.parentId === undefined && n.type !== 'boundaryEvent')
      .map((n) => absoluteRect(index, n));
    for (let i = 0; i < rects.length; i++)
      for (let j = i + 1; j < rects.length; j++) {
        const a = rects[i]!;
        const b = rects[j]!;
        const overlap =
          a.x < b.x + b.width &&
          b.x < a.x + a.width &&
          a.y < b.y + b.height &&
          b.y < a.y + a.height;
        expect(overlap).toBe(false);
      }
    const start = d.nodes.find((n) => n.type === 'startEvent' && n.parentId === undefined)!;
    const ends = d.nodes.filter((n) => n.type === 'endEvent' && n.parentId === undefined);
    expect(Math.max(...ends.map((e) => e.position.x))).toBeGreaterThan(start.position.x);
    expect(parseProcessDefinition(d).ok).toBe(true);
  });

  it('keeps lanes as stacked bands that hold their nodes', async () => {
    const d = await autoLayout(await imported('lead-to-order.bpmn'));
    const index = nodeIndex(d);
    for (const lane of d.lanes) {
      for (const id of lane.nodeIds) {
        const r = absoluteRect(index, index.get(id)!);
        expect(r.y).toBeGreaterThanOrEqual(lane.position.y);
        expect(r.y + r.height).toBeLessThanOrEqual(lane.position.y + lane.height);
      }
    }
    expect(lintProcessDefinition(d).diagnostics.filter((x) => x.severity === 'error')).toEqual(
      lintProcessDefinition(await imported('lead-to-order.bpmn')).diagnostics.filter(
        (x) => x.severity === 'error',
      ),
    );
  });
});
