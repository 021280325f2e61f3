import ElkImport from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import type { ProcessDefinition, ProcessNode } from '@ameide/process-definition';
import { absoluteRect, nodeIndex, sizeOf, snapToBorder } from './geometry.js';
import { assignLanes } from './edit-definition.js';

// elk.bundled.js is CommonJS (`module.exports = ELK`); its typings claim a default export.
type ElkCtor = new () => { layout(graph: ElkNode): Promise<ElkNode> };
const ELK = ((ElkImport as unknown as { default?: ElkCtor }).default ??
  ElkImport) as unknown as ElkCtor;

const LAYOUT_OPTIONS: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
  'elk.spacing.nodeNode': '40',
  'elk.layered.spacing.nodeNodeBetweenLayers': '60',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  'elk.edgeRouting': 'ORTHOGONAL',
};
const CONTAINER_PADDING = '[top=40,left=30,bottom=30,right=30]';
const LANE_PADDING = 40;
const LANE_HEADER = 30;

/**
 * Lays out a definition with elk's layered algorithm (left to right), e.g. after importing BPMN
 * without diagram information or generating a graph. Sub-processes are laid out with their
 * children; boundary events go on their activity's bottom border; lanes become horizontal bands
 * holding their nodes; stale waypoints are dropped.
 */
export async function autoLayout(definition: ProcessDefinition): Promise<ProcessDefinition> {
  const index = nodeIndex(definition);
  const hostOf = (id: string): string => {
    const n = index.get(id);
    return n?.type === 'boundaryEvent' ? n.data.attachedTo : id;
  };
  const childrenOf = new Map<string | undefined, ProcessNode[]>();
  for (const n of definition.nodes) {
    if (n.type === 'boundaryEvent') continue;
    const key = n.parentId !== undefined && index.has(n.parentId) ? n.parentId : undefined;
    const list = childrenOf.get(key);
    if (list) list.push(n);
    else childrenOf.set(key, [n]);
  }
  const toElk = (n: ProcessNode): ElkNode => {
    const kids = childrenOf.get(n.id);
    if (n.type === 'subProcess' && kids && kids.length > 0) {
      return {
        id: n.id,
        children: kids.map(toElk),
        layoutOptions: { 'elk.padding': CONTAINER_PADDING },
      };
    }
    return { id: n.id, ...sizeOf(n) };
  };
  const edges: ElkExtendedEdge[] = [];
  for (const e of definition.edges) {
    const source = hostOf(e.source);
    const target = hostOf(e.target);
    if (!index.has(source) || !index.has(target) || source === target) continue;
    edges.push({ id: e.id, sources: [source], targets: [target] });
  }
  const graph: ElkNode = {
    id: '__root',
    layoutOptions: LAYOUT_OPTIONS,
    children: (childrenOf.get(undefined) ?? []).map(toElk),
    edges,
  };
  const laidOut = await new ELK().layout(graph);

  const placed = new Map<string, { x: number; y: number; width?: number; height?: number }>();
  const visit = (n: ElkNode) => {
    for (const c of n.children ?? []) {
      placed.set(c.id, {
        x: Math.round(c.x ?? 0),
        y: Math.round(c.y ?? 0),
        ...(c.children && c.children.length > 0
          ? { width: Math.round(c.width ?? 0), height: Math.round(c.height ?? 0) }
          : {}),
      });
      visit(c);
    }
  };
  visit(laidOut);

  let nodes = definition.nodes.map((n): ProcessNode => {
    const p = placed.get(n.id);
    if (!p) return n;
    const moved = { ...n, position: { x: p.x, y: p.y } };
    return p.width !== undefined ? { ...moved, width: p.width, height: p.height } : moved;
  });
  let result: ProcessDefinition = {
    ...definition,
    nodes,
    edges: definition.edges.map((e) => {
      const { waypoints: _w, ...data } = e.data;
      return { ...e, data };
    }),
  };
  if (definition.lanes.length > 0) result = stackLanes(result);
  nodes = attachBoundaryEvents(result.nodes);
  return assignLanes({ ...result, nodes });
}

/** Puts each lane's top-level nodes in a horizontal band of their own, in the lanes' original order. */
function stackLanes(definition: ProcessDefinition): ProcessDefinition {
  const index = nodeIndex(definition);
  const topLevel = definition.nodes.filter(
    (n) => n.parentId === undefined && n.type !== 'boundaryEvent',
  );
  const rects = topLevel.map((n) => absoluteRect(index, n));
  const minX = Math.min(...rects.map((r) => r.x));
  const maxX = Math.max(...rects.map((r) => r.x + r.width));
  const lanes = [...definition.lanes].sort((a, b) => a.position.y - b.position.y);
  const laneOf = new Map<string, string>();
  for (const l of lanes) for (const id of l.nodeIds) laneOf.set(id, l.id);
  const bands: { laneId: string | undefined; nodes: ProcessNode[] }[] = lanes.map((l) => ({
    laneId: l.id,
    nodes: topLevel.filter((n) => laneOf.get(n.id) === l.id),
  }));
  const orphans = topLevel.filter((n) => !laneOf.has(n.id));
  if (orphans.length > 0) bands.at(-1)!.nodes.push(...orphans);

  const shift = new Map<string, number>();
  const laneRect = new Map<string, { y: number; height: number }>();
  let cursor = 0;
  for (const band of bands) {
    const ys = band.nodes.map((n) => absoluteRect(index, n));
    const top = ys.length ? Math.min(...ys.map((r) => r.y)) : 0;
    const bottom = ys.length ? Math.max(...ys.map((r) => r.y + r.height)) : 80;
    for (const n of band.nodes) shift.set(n.id, cursor + LANE_PADDING - top);
    const height = bottom - top + 2 * LANE_PADDING;
    if (band.laneId) laneRect.set(band.laneId, { y: cursor, height });
    cursor += height;
  }
  const nodes = definition.nodes.map((n) => {
    const dy = shift.get(n.id);
    return dy === undefined ? n : { ...n, position: { x: n.position.x, y: n.position.y + dy } };
  });
  const laneX = minX - LANE_PADDING;
  const width = maxX - minX + 2 * LANE_PADDING;
  const newLanes = definition.lanes.map((l) => {
    const r = laneRect.get(l.id)!;
    return { ...l, position: { x: laneX, y: r.y }, width, height: r.height };
  });
  const participant = definition.participant
    ? {
        ...definition.participant,
        position: { x: laneX - LANE_HEADER, y: 0 },
        width: width + LANE_HEADER,
        height: cursor,
      }
    : undefined;
  return { ...definition, nodes, lanes: newLanes, ...(participant ? { participant } : {}) };
}

/** Spreads each activity's boundary events along its bottom border. */
function attachBoundaryEvents(nodes: ProcessNode[]): ProcessNode[] {
  const index = new Map(nodes.map((n) => [n.id, n]));
  const count = new Map<string, number>();
  const total = new Map<string, number>();
  for (const n of nodes)
    if (n.type === 'boundaryEvent')
      total.set(n.data.attachedTo, (total.get(n.data.attachedTo) ?? 0) + 1);
  return nodes.map((n) => {
    if (n.type !== 'boundaryEvent') return n;
    const host = index.get(n.data.attachedTo);
    if (!host) return n;
    const hostRect = absoluteRect(index, host);
    const i = count.get(host.id) ?? 0;
    count.set(host.id, i + 1);
    const slots = (total.get(host.id) ?? 1) + 1;
    const point = {
      x: hostRect.x + (hostRect.width * (i + 1)) / slots,
      y: hostRect.y + hostRect.height,
    };
    const abs = snapToBorder(hostRect, point, sizeOf(n));
    const parent = n.parentId !== undefined ? index.get(n.parentId) : undefined;
    const origin = parent ? absoluteRect(index, parent) : { x: 0, y: 0 };
    return { ...n, position: { x: Math.round(abs.x - origin.x), y: Math.round(abs.y - origin.y) } };
  });
}
