import { ACTIVITY_TYPES } from '@ameide/process-definition';
import type {
  Lane,
  Position,
  ProcessDefinition,
  ProcessEdge,
  ProcessNode,
  ProcessNodeType,
} from '@ameide/process-definition';
import {
  absolutePosition,
  absoluteRect,
  center,
  contains,
  nodeIndex,
  sizeOf,
  snapToBorder,
} from './geometry.js';
import type { EditResult } from './edit-types.js';
import { idPrefix } from './node-kinds.js';

/**
 * The graph editing model: pure functions from a ProcessDefinition to the next one. The React
 * Flow canvas only turns gestures into these calls, so every edit is one undoable step and
 * testable without a browser.
 */

/** An empty definition with one lane-less process. */
export function createEmptyDefinition(id: string, name?: string): ProcessDefinition {
  return {
    schemaVersion: 1,
    id,
    ...(name !== undefined ? { name } : {}),
    variables: [],
    lanes: [],
    nodes: [],
    edges: [],
  };
}

/** The first `Prefix_n` not used by any node, edge or lane. */
export function nextId(
  definition: ProcessDefinition,
  prefix: string,
  taken: ReadonlySet<string> = new Set(),
): string {
  const used = new Set<string>([
    ...definition.nodes.map((n) => n.id),
    ...definition.edges.map((e) => e.id),
    ...definition.lanes.map((l) => l.id),
    ...taken,
  ]);
  for (let i = 1; ; i++) {
    const id = `${prefix}_${i}`;
    if (!used.has(id)) return id;
  }
}

export interface AddNodeInput {
  readonly type: Exclude<ProcessNodeType, 'unsupported'>;
  readonly data: Record<string, unknown>;
  /** Where the user dropped the node: its top-left corner in absolute diagram coordinates. */
  readonly position: Position;
  readonly id?: string;
}

/**
 * Adds a node. Dropped inside a sub-process it becomes a child (relative position); a boundary
 * event must be dropped on an activity and is snapped to that activity's border.
 */
export function addNode(definition: ProcessDefinition, input: AddNodeInput): EditResult {
  const id = input.id ?? nextId(definition, idPrefix(input.type));
  if (definition.nodes.some((n) => n.id === id))
    return { ok: false, message: `id ${id} is already used` };
  const index = nodeIndex(definition);
  const draft = { id, type: input.type, position: input.position, data: input.data } as ProcessNode;
  const size = sizeOf(draft);
  const dropCenter = {
    x: input.position.x + size.width / 2,
    y: input.position.y + size.height / 2,
  };

  let node: ProcessNode;
  if (input.type === 'boundaryEvent') {
    const host = topmostAt(definition, index, dropCenter, (n) => ACTIVITY_TYPES.has(n.type));
    if (!host)
      return { ok: false, message: 'drop a boundary event on a task or sub-process border' };
    const hostRect = absoluteRect(index, host);
    const abs = snapToBorder(hostRect, dropCenter, size);
    const parentOffset = host.parentId
      ? absolutePosition(index, index.get(host.parentId)!)
      : { x: 0, y: 0 };
    node = {
      ...draft,
      position: { x: abs.x - parentOffset.x, y: abs.y - parentOffset.y },
      ...(host.parentId !== undefined ? { parentId: host.parentId } : {}),
      data: { ...input.data, attachedTo: host.id },
    } as ProcessNode;
  } else {
    const container = topmostAt(definition, index, dropCenter, (n) => n.type === 'subProcess');
    if (container) {
      const origin = absolutePosition(index, container);
      node = {
        ...draft,
        parentId: container.id,
        position: { x: input.position.x - origin.x, y: input.position.y - origin.y },
      };
    } else {
      node = draft;
    }
  }
  const next = { ...definition, nodes: [...definition.nodes, node] };
  return { ok: true, definition: assignLanes(next), ids: [id] };
}

/** The innermost (last drawn) node under `point` that passes `accept`. */
function topmostAt(
  definition: ProcessDefinition,
  index: ReadonlyMap<string, ProcessNode>,
  point: Position,
  accept: (n: ProcessNode) => boolean,
): ProcessNode | undefined {
  let found: ProcessNode | undefined;
  let depth = -1;
  for (const n of definition.nodes) {
    if (!accept(n) || !contains(absoluteRect(index, n), point)) continue;
    const d = depthOf(index, n);
    if (d >= depth) {
      found = n;
      depth = d;
    }
  }
  return found;
}

function depthOf(index: ReadonlyMap<string, ProcessNode>, node: ProcessNode): number {
  let d = 0;
  let p = node.parentId;
  while (p !== undefined && d < 100) {
    d++;
    p = index.get(p)?.parentId;
  }
  return d;
}

/** Connects two nodes with a sequence flow. Refuses duplicates, unknown nodes and annotations. */
export function connect(
  definition: ProcessDefinition,
  source: string,
  target: string,
  id?: string,
): EditResult {
  const index = nodeIndex(definition);
  const s = index.get(source);
  const t = index.get(target);
  if (!s || !t) return { ok: false, message: `cannot connect ${source} → ${target}: unknown node` };
  if (s.type === 'textAnnotation' || t.type === 'textAnnotation')
    return { ok: false, message: 'text annotations cannot have sequence flows' };
  if (definition.edges.some((e) => e.source === source && e.target === target))
    return { ok: false, message: `${source} is already connected to ${target}` };
  const edgeId = id ?? nextId(definition, 'Flow');
  const edge: ProcessEdge = { id: edgeId, source, target, data: {} };
  return {
    ok: true,
    definition: { ...definition, edges: [...definition.edges, edge] },
    ids: [edgeId],
  };
}

/**
 * Deletes nodes and edges. A deleted node takes with it its sub-process children, its boundary
 * events and every connected flow.
 */
export function deleteElements(
  definition: ProcessDefinition,
  nodeIds: readonly string[],
  edgeIds: readonly string[] = [],
): EditResult {
  const doomed = new Set(nodeIds);
  let grew = true;
  while (grew) {
    grew = false;
    for (const n of definition.nodes) {
      if (doomed.has(n.id)) continue;
      const attached = n.type === 'boundaryEvent' ? n.data.attachedTo : undefined;
      if (
        (n.parentId !== undefined && doomed.has(n.parentId)) ||
        (attached !== undefined && doomed.has(attached))
      ) {
        doomed.add(n.id);
        grew = true;
      }
    }
  }
  const edgeSet = new Set(edgeIds);
  const nodes = definition.nodes.filter((n) => !doomed.has(n.id));
  const edges = definition.edges.filter(
    (e) => !edgeSet.has(e.id) && !doomed.has(e.source) && !doomed.has(e.target),
  );
  const removedLanes = new Set(nodeIds);
  const lanes = definition.lanes
    .filter((l) => !removedLanes.has(l.id))
    .map((l) => ({ ...l, nodeIds: l.nodeIds.filter((id) => !doomed.has(id)) }));
  const removed =
    definition.nodes.length -
    nodes.length +
    definition.edges.length -
    edges.length +
    definition.lanes.length -
    lanes.length;
  if (removed === 0) return { ok: false, message: 'nothing to delete' };
  return { ok: true, definition: { ...definition, nodes, edges, lanes }, ids: [...doomed] };
}

/** A move: the node's new position in model coordinates (relative to its parent). */
export interface NodeMove {
  readonly id: string;
  readonly position: Position;
}

/**
 * Moves nodes. Boundary events follow their activity (and snap back onto its border when moved
 * alone); flows touching a moved node lose their stale waypoints; lane membership is recomputed.
 */
export function moveNodes(definition: ProcessDefinition, moves: readonly NodeMove[]): EditResult {
  if (moves.length === 0) return { ok: false, message: 'nothing to move' };
  const target = new Map(moves.map((m) => [m.id, m.position]));
  const delta = new Map<string, Position>();
  for (const n of definition.nodes) {
    const p = target.get(n.id);
    if (p) delta.set(n.id, { x: p.x - n.position.x, y: p.y - n.position.y });
  }
  let nodes = definition.nodes.map((n) => {
    const p = target.get(n.id);
    if (p) return { ...n, position: p };
    if (n.type === 'boundaryEvent') {
      const d = delta.get(n.data.attachedTo);
      if (d) return { ...n, position: { x: n.position.x + d.x, y: n.position.y + d.y } };
    }
    return n;
  });
  // A boundary event dragged on its own stays on its activity's border.
  const index = new Map(nodes.map((n) => [n.id, n]));
  nodes = nodes.map((n) => {
    if (n.type !== 'boundaryEvent' || !target.has(n.id) || target.has(n.data.attachedTo)) return n;
    const host = index.get(n.data.attachedTo);
    if (!host) return n;
    const size = sizeOf(n);
    const abs = absolutePosition(index, n);
    const snapped = snapToBorder(
      absoluteRect(index, host),
      { x: abs.x + size.width / 2, y: abs.y + size.height / 2 },
      size,
    );
    return {
      ...n,
      position: { x: n.position.x + snapped.x - abs.x, y: n.position.y + snapped.y - abs.y },
    };
  });
  const moved = new Set([...target.keys()].filter((id) => delta.has(id)));
  for (const n of nodes)
    if (n.type === 'boundaryEvent' && moved.has(n.data.attachedTo)) moved.add(n.id);
  const edges = definition.edges.map((e) =>
    e.data.waypoints && (moved.has(e.source) || moved.has(e.target))
      ? { ...e, data: withoutKey(e.data, 'waypoints') }
      : e,
  );
  return { ok: true, definition: assignLanes({ ...definition, nodes, edges }), ids: [...moved] };
}

/** Replaces a node's `data` (the properties panel). */
export function updateNodeData(
  definition: ProcessDefinition,
  id: string,
  data: Record<string, unknown>,
): EditResult {
  if (!definition.nodes.some((n) => n.id === id))
    return { ok: false, message: `unknown node ${id}` };
  const nodes = definition.nodes.map((n) => (n.id === id ? ({ ...n, data } as ProcessNode) : n));
  return { ok: true, definition: { ...definition, nodes }, ids: [id] };
}

/**
 * Replaces a flow's `data`. Marking a flow as the default clears its condition and the default
 * mark of the other flows leaving the same gateway (a gateway has one default flow).
 */
export function updateEdgeData(
  definition: ProcessDefinition,
  id: string,
  data: ProcessEdge['data'],
): EditResult {
  const edge = definition.edges.find((e) => e.id === id);
  if (!edge) return { ok: false, message: `unknown flow ${id}` };
  let next: ProcessEdge['data'] = data;
  if (data.isDefault === true) next = withoutKey(data, 'condition');
  if (data.isDefault === false) next = withoutKey(next, 'isDefault');
  const edges = definition.edges.map((e) => {
    if (e.id === id) return { ...e, data: next };
    if (data.isDefault === true && e.source === edge.source && e.data.isDefault)
      return { ...e, data: withoutKey(e.data, 'isDefault') };
    return e;
  });
  return { ok: true, definition: { ...definition, edges }, ids: [id] };
}

/** Adds a swimlane (horizontal band) and puts the top-level nodes inside it into it. */
export function addLane(
  definition: ProcessDefinition,
  rect: { x: number; y: number; width?: number; height?: number },
  name?: string,
): EditResult {
  const id = nextId(definition, 'Lane');
  const lane: Lane = {
    id,
    ...(name !== undefined ? { name } : {}),
    nodeIds: [],
    position: { x: rect.x, y: rect.y },
    width: rect.width ?? 900,
    height: rect.height ?? 220,
  };
  return {
    ok: true,
    definition: assignLanes({ ...definition, lanes: [...definition.lanes, lane] }),
    ids: [id],
  };
}

/** Moves or resizes a lane (lanes use absolute coordinates). */
export function updateLane(
  definition: ProcessDefinition,
  id: string,
  patch: Partial<Pick<Lane, 'name' | 'position' | 'width' | 'height'>>,
): EditResult {
  if (!definition.lanes.some((l) => l.id === id))
    return { ok: false, message: `unknown lane ${id}` };
  const lanes = definition.lanes.map((l) => (l.id === id ? { ...l, ...patch } : l));
  return { ok: true, definition: assignLanes({ ...definition, lanes }), ids: [id] };
}

/**
 * Recomputes which lane each top-level node is in (its centre inside the lane; boundary events
 * go with their activity). Lanes keep nodes they list that are outside every lane.
 */
export function assignLanes(definition: ProcessDefinition): ProcessDefinition {
  if (definition.lanes.length === 0) return definition;
  const index = nodeIndex(definition);
  const laneOf = new Map<string, string>();
  for (const n of definition.nodes) {
    if (n.parentId !== undefined) continue;
    const anchor = n.type === 'boundaryEvent' ? (index.get(n.data.attachedTo) ?? n) : n;
    const c = center(absoluteRect(index, anchor));
    const lane = definition.lanes.find((l) =>
      contains({ ...l.position, width: l.width, height: l.height }, c),
    );
    if (lane) laneOf.set(n.id, lane.id);
  }
  const lanes = definition.lanes.map((l) => {
    const nodeIds = definition.nodes
      .filter(
        (n) =>
          n.parentId === undefined &&
          (laneOf.get(n.id) === l.id || (!laneOf.has(n.id) && l.nodeIds.includes(n.id))),
      )
      .map((n) => n.id);
    return sameList(nodeIds, l.nodeIds) ? l : { ...l, nodeIds };
  });
  return lanes.every((l, i) => l === definition.lanes[i]) ? definition : { ...definition, lanes };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function withoutKey<T extends object, K extends keyof T>(value: T, key: K): Omit<T, K> {
  const { [key]: _drop, ...rest } = value;
  return rest;
}
