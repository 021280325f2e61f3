import type {
  NodeOfType,
  ProcessDefinition,
  ProcessEdge,
  ProcessNode,
} from '../model/process-definition.js';

/** Scope id of the process level. Cannot clash with a node id (ids never contain `#`). */
export const ROOT_SCOPE = '#process';

/** BPMN types of unsupported nodes that still contain a level (kept so imports stay intact). */
const UNSUPPORTED_CONTAINERS: ReadonlySet<string> = new Set([
  'bpmn:SubProcess',
  'bpmn:Transaction',
  'bpmn:AdHocSubProcess',
]);

/** Whether a node's children (`parentId`) form a level of their own. */
export function isContainer(node: ProcessNode): boolean {
  return (
    node.type === 'subProcess' ||
    (node.type === 'unsupported' && UNSUPPORTED_CONTAINERS.has(node.data.bpmnType))
  );
}

/**
 * Indexes over a definition that lint, compile and export share. Tolerates broken
 * definitions (duplicate ids, dangling references, parent cycles): the first node with an id
 * wins and unresolvable parents count as the process level, so the linter can report them.
 */
export interface ProcessGraph {
  readonly definition: ProcessDefinition;
  readonly nodeById: ReadonlyMap<string, ProcessNode>;
  readonly edgeById: ReadonlyMap<string, ProcessEdge>;
  /** Edges by source node id (only edges whose source exists), in definition order. */
  readonly outgoing: ReadonlyMap<string, readonly ProcessEdge[]>;
  /** Edges by target node id (only edges whose target exists), in definition order. */
  readonly incoming: ReadonlyMap<string, readonly ProcessEdge[]>;
  /** Boundary events by the id of the activity they are attached to. */
  readonly boundaryByHost: ReadonlyMap<string, readonly NodeOfType<'boundaryEvent'>[]>;
  /** Scope of every node: {@link ROOT_SCOPE} or the id of the containing subProcess. */
  readonly scopeOf: ReadonlyMap<string, string>;
  /** Nodes of each scope in definition order (scopes without nodes are absent). */
  readonly nodesByScope: ReadonlyMap<string, readonly ProcessNode[]>;
  /** Nodes whose `parentId` chain loops. */
  readonly parentCycles: ReadonlySet<string>;
}

const EMPTY: readonly never[] = [];

export function outgoingOf(graph: ProcessGraph, id: string): readonly ProcessEdge[] {
  return graph.outgoing.get(id) ?? EMPTY;
}

export function incomingOf(graph: ProcessGraph, id: string): readonly ProcessEdge[] {
  return graph.incoming.get(id) ?? EMPTY;
}

export function buildProcessGraph(definition: ProcessDefinition): ProcessGraph {
  const nodeById = new Map<string, ProcessNode>();
  for (const n of definition.nodes) if (!nodeById.has(n.id)) nodeById.set(n.id, n);
  const edgeById = new Map<string, ProcessEdge>();
  const outgoing = new Map<string, ProcessEdge[]>();
  const incoming = new Map<string, ProcessEdge[]>();
  for (const e of definition.edges) {
    if (!edgeById.has(e.id)) edgeById.set(e.id, e);
    if (nodeById.has(e.source)) push(outgoing, e.source, e);
    if (nodeById.has(e.target)) push(incoming, e.target, e);
  }
  const boundaryByHost = new Map<string, NodeOfType<'boundaryEvent'>[]>();
  for (const n of definition.nodes) {
    if (n.type === 'boundaryEvent') push(boundaryByHost, n.data.attachedTo, n);
  }

  const parentOf = (n: ProcessNode): ProcessNode | undefined => {
    const parent = n.parentId === undefined ? undefined : nodeById.get(n.parentId);
    return parent && isContainer(parent) ? parent : undefined;
  };
  // Find parent cycles iteratively (deep nesting must not overflow the stack).
  const parentCycles = new Set<string>();
  const done = new Set<string>();
  for (const n of nodeById.values()) {
    const path: string[] = [];
    const onPath = new Map<string, number>();
    let current: ProcessNode | undefined = n;
    while (current && !done.has(current.id)) {
      const seenAt = onPath.get(current.id);
      if (seenAt !== undefined) {
        for (const id of path.slice(seenAt)) parentCycles.add(id);
        break;
      }
      onPath.set(current.id, path.length);
      path.push(current.id);
      current = parentOf(current);
    }
    for (const id of path) done.add(id);
  }
  const scopeOf = new Map<string, string>();
  for (const n of nodeById.values()) {
    const parent = parentOf(n);
    scopeOf.set(n.id, parent && !parentCycles.has(n.id) ? parent.id : ROOT_SCOPE);
  }

  const nodesByScope = new Map<string, ProcessNode[]>();
  for (const n of definition.nodes) {
    if (nodeById.get(n.id) !== n) continue;
    push(nodesByScope, scopeOf.get(n.id) ?? ROOT_SCOPE, n);
  }
  return {
    definition,
    nodeById,
    edgeById,
    outgoing,
    incoming,
    boundaryByHost,
    scopeOf,
    nodesByScope,
    parentCycles,
  };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Scopes in pre-order (process level first, then each subProcess after its parent), the order
 * in which BPMN nests them.
 */
export function scopesInPreorder(graph: ProcessGraph): string[] {
  const order: string[] = [];
  const stack: string[] = [ROOT_SCOPE];
  while (stack.length > 0) {
    const scope = stack.pop()!;
    order.push(scope);
    const children = (graph.nodesByScope.get(scope) ?? EMPTY).filter((n) =>
      graph.nodesByScope.has(n.id),
    );
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!.id);
  }
  return order;
}

/**
 * The link catch event named `link` on level `scope` ({@link ROOT_SCOPE} or a subProcess id):
 * where a link throw event of that name continues (the first one, when a level has several).
 */
export function linkCatchOf(
  graph: ProcessGraph,
  scope: string,
  link: string,
): NodeOfType<'intermediateLinkEvent'> | undefined {
  for (const n of graph.nodesByScope.get(scope) ?? [])
    if (n.type === 'intermediateLinkEvent' && n.data.link === link) return n;
  return undefined;
}

/** The link catch event a link throw event continues at, if it is one and has one. */
export function linkTargetOf(graph: ProcessGraph, node: ProcessNode): ProcessNode | undefined {
  if (node.type !== 'intermediateThrowEvent' || node.data.event.type !== 'link') return undefined;
  return linkCatchOf(graph, graph.scopeOf.get(node.id) ?? ROOT_SCOPE, node.data.event.link);
}
