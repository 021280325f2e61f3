import type { Edge, Node } from '@xyflow/react';
import {
  collaborationView,
  type Diagnostic,
  type KeptPool,
  type Lane,
  type Participant,
  type ProcessDefinition,
  type ProcessEdge,
  type ProcessNode,
} from '@ameide/process-definition';
import { nodeIndex, sizeOf } from './geometry.js';
import type { NodeMove } from './edit-definition.js';

/** `data` of a React Flow node drawn for a ProcessDefinition node. */
export interface ProcessNodeData extends Record<string, unknown> {
  readonly node: ProcessNode;
  readonly diagnostics: readonly Diagnostic[];
}
export interface LaneNodeData extends Record<string, unknown> {
  readonly lane: Lane;
  readonly diagnostics: readonly Diagnostic[];
}
export interface PoolNodeData extends Record<string, unknown> {
  readonly participant: Participant | KeptPool;
  /** A pool kept from the imported BPMN document (a black box, or another process): not executed. */
  readonly kept?: boolean;
}
export interface SequenceEdgeData extends Record<string, unknown> {
  readonly edge: ProcessEdge;
  readonly diagnostics: readonly Diagnostic[];
  /** Whether the flow leaves a gateway (conditions and default marks belong there). */
  readonly fromGateway: boolean;
}

/** How far a process instance got at a node (the instance view's overlay). */
export type RunStatus = 'active' | 'completed' | 'failed';

export type FlowNode = Node<ProcessNodeData | LaneNodeData | PoolNodeData>;
export type FlowEdge = Edge<SequenceEdgeData>;

/** React Flow node type of a lane and of the pool (node types of the model are used as they are). */
export const LANE_TYPE = 'lane';
export const POOL_TYPE = 'pool';

export interface Selection {
  readonly nodes: ReadonlySet<string>;
  readonly edges: ReadonlySet<string>;
}
export const emptySelection: Selection = { nodes: new Set(), edges: new Set() };

const noDiagnostics: readonly Diagnostic[] = [];

/** Groups diagnostics by the element they name. */
export function diagnosticsByElement(
  diagnostics: readonly Diagnostic[],
): Map<string, Diagnostic[]> {
  const out = new Map<string, Diagnostic[]>();
  for (const d of diagnostics) {
    const list = out.get(d.elementId);
    if (list) list.push(d);
    else out.set(d.elementId, [d]);
  }
  return out;
}

/**
 * Maps a definition onto React Flow nodes and edges. The mapper remembers what it produced and
 * returns the same object for an element whose model object, diagnostics and selection did not
 * change, so React Flow re-renders only what an edit touched (a 500-node diagram stays smooth).
 */
export function createFlowMapper() {
  let nodeCache = new WeakMap<object, { key: string; value: FlowNode }>();
  let edgeCache = new WeakMap<object, { key: string; value: FlowEdge }>();

  function cached<T>(
    cache: WeakMap<object, { key: string; value: T }>,
    owner: object,
    key: string,
    make: () => T,
  ): T {
    const hit = cache.get(owner);
    if (hit && hit.key === key) return hit.value;
    const value = make();
    cache.set(owner, { key, value });
    return value;
  }

  return {
    reset() {
      nodeCache = new WeakMap();
      edgeCache = new WeakMap();
    },
    toFlow(
      definition: ProcessDefinition,
      diagnostics: ReadonlyMap<string, readonly Diagnostic[]>,
      selection: Selection,
      readOnly = false,
      runStatus?: ReadonlyMap<string, RunStatus>,
    ): { nodes: FlowNode[]; edges: FlowEdge[] } {
      const nodes: FlowNode[] = [];
      if (definition.participant) {
        const p = definition.participant;
        nodes.push(
          cached(nodeCache, p, `${readOnly}`, () => ({
            id: `pool:${p.id}`,
            type: POOL_TYPE,
            position: p.position,
            width: p.width,
            height: p.height,
            data: { participant: p },
            draggable: false,
            selectable: false,
            connectable: false,
            zIndex: -3,
          })),
        );
      }
      for (const p of keptPools(definition)) {
        nodes.push(
          cached(nodeCache, p, `${readOnly}`, () => ({
            id: `pool:${p.id}`,
            type: POOL_TYPE,
            position: p.position,
            width: p.width,
            height: p.height,
            data: { participant: p, kept: true },
            draggable: false,
            selectable: false,
            connectable: false,
            zIndex: -3,
            ariaLabel: `pool ${p.name ?? p.id} (not executed)`,
          })),
        );
      }
      for (const lane of definition.lanes) {
        const diags = diagnostics.get(lane.id) ?? noDiagnostics;
        const selected = selection.nodes.has(lane.id);
        nodes.push(
          cached(nodeCache, lane, `${selected}|${diagKey(diags)}|${readOnly}`, () => ({
            id: lane.id,
            type: LANE_TYPE,
            position: lane.position,
            width: lane.width,
            height: lane.height,
            data: { lane, diagnostics: diags },
            selected,
            draggable: !readOnly,
            connectable: false,
            zIndex: -2,
          })),
        );
      }
      const index = nodeIndex(definition);
      for (const node of parentsFirst(definition.nodes, index)) {
        const diags = diagnostics.get(node.id) ?? noDiagnostics;
        const selected = selection.nodes.has(node.id);
        const run = runStatus?.get(node.id);
        nodes.push(
          cached(nodeCache, node, `${selected}|${diagKey(diags)}|${readOnly}|${run ?? ''}`, () => {
            const size = sizeOf(node);
            const flowNode: FlowNode = {
              id: node.id,
              type: node.type,
              position: node.position,
              width: size.width,
              height: size.height,
              data: { node, diagnostics: diags },
              selected,
              draggable: !readOnly,
              connectable: !readOnly && node.type !== 'textAnnotation',
              zIndex: node.type === 'boundaryEvent' ? 1000 : node.type === 'subProcess' ? -1 : 0,
              ariaLabel: `${node.type} ${node.type === 'textAnnotation' ? node.data.text : (node.data.name ?? node.id)}`,
            };
            if (node.parentId !== undefined && index.has(node.parentId))
              flowNode.parentId = node.parentId;
            if (run) flowNode.className = `run-${run}`;
            return flowNode;
          }),
        );
      }
      const edges = definition.edges.map((edge) => {
        const diags = diagnostics.get(edge.id) ?? noDiagnostics;
        const selected = selection.edges.has(edge.id);
        const sourceType = index.get(edge.source)?.type;
        const fromGateway = sourceType === 'exclusiveGateway' || sourceType === 'inclusiveGateway';
        return cached(
          edgeCache,
          edge,
          `${selected}|${diagKey(diags)}|${fromGateway}|${readOnly}`,
          () => ({
            id: edge.id,
            source: edge.source,
            target: edge.target,
            type: 'sequence',
            data: { edge, diagnostics: diags, fromGateway },
            selected,
            deletable: !readOnly,
            ariaLabel: `sequence flow ${edge.id} from ${edge.source} to ${edge.target}`,
          }),
        );
      });
      return { nodes, edges };
    },
  };
}

const keptPoolCache = new WeakMap<object, readonly KeptPool[]>();

/** Pools kept from the imported document, computed once per kept part. */
function keptPools(definition: ProcessDefinition): readonly KeptPool[] {
  const owner = definition.bpmn;
  if (!owner) return [];
  let pools = keptPoolCache.get(owner);
  if (!pools) {
    pools = collaborationView(definition).pools;
    keptPoolCache.set(owner, pools);
  }
  return pools;
}

function diagKey(diags: readonly Diagnostic[]): string {
  return diags.length === 0
    ? ''
    : diags.map((d) => `${d.code}:${d.severity}:${d.message}`).join('\n');
}

/** React Flow needs a parent before its children; keeps the model's order otherwise. */
export function parentsFirst(
  nodes: readonly ProcessNode[],
  index: ReadonlyMap<string, ProcessNode>,
): ProcessNode[] {
  const depth = (n: ProcessNode) => {
    let d = 0;
    let p = n.parentId;
    while (p !== undefined && index.has(p) && d < 100) {
      d++;
      p = index.get(p)!.parentId;
    }
    return d;
  };
  return nodes
    .map((n, i) => ({ n, i, d: depth(n) }))
    .sort((a, b) => a.d - b.d || a.i - b.i)
    .map((x) => x.n);
}

/** The model moves for React Flow nodes the user dragged (React Flow positions are parent-relative too). */
export function movesFromFlow(dragged: readonly Pick<Node, 'id' | 'type' | 'position'>[]): {
  nodes: NodeMove[];
  lanes: NodeMove[];
} {
  const nodes: NodeMove[] = [];
  const lanes: NodeMove[] = [];
  for (const n of dragged) {
    const move = {
      id: n.id,
      position: { x: Math.round(n.position.x), y: Math.round(n.position.y) },
    };
    if (n.type === LANE_TYPE) lanes.push(move);
    else if (n.type !== POOL_TYPE) nodes.push(move);
  }
  return { nodes, lanes };
}
