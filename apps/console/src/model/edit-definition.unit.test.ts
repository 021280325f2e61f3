import { describe, expect, it } from 'vitest';
import { lintProcessDefinition, type ProcessDefinition } from '@ameide/process-definition';
import {
  addLane,
  addNode,
  connect,
  createEmptyDefinition,
  deleteElements,
  moveNodes,
  updateEdgeData,
  updateNodeData,
} from './edit-definition.js';
import { copyElements, pasteElements } from './clipboard.js';
import { commitEdit, createEditHistory, redoEdit, undoEdit } from './edit-history.js';
import { paletteItem, PALETTE } from './node-kinds.js';
import type { EditResult } from './edit-types.js';

function ok(r: EditResult): { definition: ProcessDefinition; ids: readonly string[] } {
  if (!r.ok) throw new Error(r.message);
  return r;
}

function add(d: ProcessDefinition, key: string, x: number, y: number) {
  const item = paletteItem(key)!;
  return ok(addNode(d, { type: item.type, data: item.data(), position: { x, y } }));
}

/** start → review → gateway → approved / rejected: the approval process users draw first. */
function approval(): ProcessDefinition {
  let d = createEmptyDefinition('approval', 'Approval');
  d = add(d, 'startEvent', 0, 100).definition;
  d = add(d, 'userTask', 100, 80).definition;
  d = add(d, 'exclusiveGateway', 280, 95).definition;
  d = add(d, 'endEvent', 420, 20).definition;
  d = add(d, 'endEvent', 420, 200).definition;
  d = ok(connect(d, 'StartEvent_1', 'Task_1')).definition;
  d = ok(connect(d, 'Task_1', 'Gateway_1')).definition;
  d = ok(connect(d, 'Gateway_1', 'EndEvent_1')).definition;
  d = ok(connect(d, 'Gateway_1', 'EndEvent_2')).definition;
  return d;
}

const codes = (d: ProcessDefinition) =>
  lintProcessDefinition(d).diagnostics.map((x) => `${x.elementId}:${x.code}`);

describe('graph editing model', () => {
  it('builds an approval process whose only lint errors are the missing gateway conditions, then fixes them', () => {
    let d = approval();
    expect(d.nodes.map((n) => n.id)).toEqual([
      'StartEvent_1',
      'Task_1',
      'Gateway_1',
      'EndEvent_1',
      'EndEvent_2',
    ]);
    expect(codes(d)).toEqual(['Flow_3:AM013', 'Flow_4:AM013']);
    d = ok(updateEdgeData(d, 'Flow_3', { condition: 'approved = true' })).definition;
    d = ok(updateEdgeData(d, 'Flow_4', { isDefault: true })).definition;
    expect(codes(d)).toEqual([]);
  });

  it('every palette item adds a node the schema accepts', () => {
    let d = createEmptyDefinition('all');
    d = add(d, 'serviceTask', 0, 0).definition; // a host for boundary events
    for (const [i, item] of PALETTE.entries()) {
      if (item.type === 'boundaryEvent') d = add(d, item.key, 40, 60).definition;
      else d = add(d, item.key, 200 + i * 150, 300).definition;
    }
    const result = lintProcessDefinition(d);
    expect(result.diagnostics.filter((x) => x.code === 'AM000')).toEqual([]);
    expect(new Set(d.nodes.map((n) => n.type)).size).toBe(new Set(PALETTE.map((p) => p.type)).size);
  });

  it('refuses a duplicate flow and a boundary event dropped on empty canvas', () => {
    const d = approval();
    expect(connect(d, 'StartEvent_1', 'Task_1')).toMatchObject({ ok: false });
    const refused = addNode(d, {
      type: 'boundaryEvent',
      data: paletteItem('boundaryEvent:timer')!.data(),
      position: { x: 900, y: 900 },
    });
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.message).toMatch(/task or sub-process/);
  });

  it('snaps a boundary event onto the border of the activity it is dropped on and moves it with the activity', () => {
    let d = approval();
    // Task_1 is 110×80 at (100,80): drop near its bottom edge.
    d = add(d, 'boundaryEvent:timer', 150, 140).definition;
    const boundary = d.nodes.find((n) => n.type === 'boundaryEvent')!;
    expect(boundary.data).toMatchObject({ attachedTo: 'Task_1' });
    expect(boundary.position.y + 18).toBe(160); // centre on the bottom border (80 + 80)
    d = ok(moveNodes(d, [{ id: 'Task_1', position: { x: 120, y: 100 } }])).definition;
    const after = d.nodes.find((n) => n.id === boundary.id)!;
    expect(after.position).toEqual({ x: boundary.position.x + 20, y: boundary.position.y + 20 });
  });

  it('drops a node inside a sub-process as a child with a relative position', () => {
    let d = createEmptyDefinition('p');
    d = add(d, 'subProcess', 100, 100).definition;
    d = add(d, 'serviceTask', 150, 150).definition;
    const child = d.nodes.find((n) => n.id === 'Task_1')!;
    expect(child.parentId).toBe('SubProcess_1');
    expect(child.position).toEqual({ x: 50, y: 50 });
  });

  it('deletes a node with its flows, boundary events and sub-process children', () => {
    let d = approval();
    d = add(d, 'boundaryEvent:error', 150, 140).definition;
    const r = ok(deleteElements(d, ['Task_1']));
    expect(r.definition.nodes.map((n) => n.id)).toEqual([
      'StartEvent_1',
      'Gateway_1',
      'EndEvent_1',
      'EndEvent_2',
    ]);
    expect(r.definition.edges.map((e) => e.id)).toEqual(['Flow_3', 'Flow_4']);
  });

  it('keeps one default flow per gateway and drops the condition of the default', () => {
    let d = approval();
    d = ok(updateEdgeData(d, 'Flow_3', { isDefault: true })).definition;
    d = ok(updateEdgeData(d, 'Flow_4', { condition: 'x', isDefault: true })).definition;
    expect(d.edges.find((e) => e.id === 'Flow_3')!.data).toEqual({});
    expect(d.edges.find((e) => e.id === 'Flow_4')!.data).toEqual({ isDefault: true });
  });

  it('moving a node drops the stale waypoints of its flows only', () => {
    let d = approval();
    d = {
      ...d,
      edges: d.edges.map((e) => ({
        ...e,
        data: {
          waypoints: [
            { x: 0, y: 0 },
            { x: 1, y: 1 },
          ],
        },
      })),
    };
    d = ok(moveNodes(d, [{ id: 'EndEvent_2', position: { x: 500, y: 300 } }])).definition;
    expect(d.edges.map((e) => e.data.waypoints !== undefined)).toEqual([true, true, true, false]);
  });

  it('tracks lane membership as nodes move', () => {
    let d = approval();
    d = ok(addLane(d, { x: -40, y: 0, width: 700, height: 160 }, 'Clerk')).definition;
    d = ok(addLane(d, { x: -40, y: 160, width: 700, height: 160 }, 'Manager')).definition;
    expect(d.lanes.map((l) => l.nodeIds)).toEqual([
      ['StartEvent_1', 'Task_1', 'Gateway_1', 'EndEvent_1'],
      ['EndEvent_2'],
    ]);
    d = ok(moveNodes(d, [{ id: 'Task_1', position: { x: 100, y: 200 } }])).definition;
    expect(d.lanes[1]!.nodeIds).toEqual(['Task_1', 'EndEvent_2']);
  });

  it('copies and pastes a selection with fresh ids and its inner flows', () => {
    let d = approval();
    const clip = copyElements(d, ['Task_1', 'Gateway_1']);
    expect(clip.edges.map((e) => e.id)).toEqual(['Flow_2']);
    const r = ok(pasteElements(d, clip));
    d = r.definition;
    expect(r.ids).toEqual(['Task_2', 'Gateway_2', 'Flow_5']);
    expect(d.edges.at(-1)).toMatchObject({ source: 'Task_2', target: 'Gateway_2' });
    expect(d.nodes.find((n) => n.id === 'Task_2')!.position).toEqual({ x: 140, y: 120 });
  });

  it('undoes and redoes edits in order, and a new edit drops the redo stack', () => {
    let h = createEditHistory(createEmptyDefinition('p'));
    h = commitEdit(h, add(h.present, 'startEvent', 0, 0).definition);
    h = commitEdit(h, add(h.present, 'endEvent', 100, 0).definition);
    h = commitEdit(h, ok(connect(h.present, 'StartEvent_1', 'EndEvent_1')).definition);
    h = undoEdit(undoEdit(h));
    expect(h.present.nodes.map((n) => n.id)).toEqual(['StartEvent_1']);
    h = redoEdit(h);
    expect(h.present.nodes).toHaveLength(2);
    expect(h.present.edges).toHaveLength(0);
    h = commitEdit(h, ok(updateNodeData(h.present, 'EndEvent_1', { name: 'Done' })).definition);
    expect(redoEdit(h)).toBe(h);
    expect(undoEdit(undoEdit(undoEdit(undoEdit(h)))).present.nodes).toEqual([]);
  });
});
