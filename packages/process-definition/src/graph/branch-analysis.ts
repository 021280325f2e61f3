import type { ProcessNode } from '../model/process-definition.js';
import { ACTIVITY_TYPES } from '../model/process-definition.js';
import { incomingOf, linkTargetOf, outgoingOf, type ProcessGraph } from './process-graph.js';

/**
 * Structural token analysis over dominators, per level.
 *
 * Each level becomes a flow graph whose vertices are its nodes *and* its sequence flows
 * (so a flow can dominate), plus a virtual root before the start events; a boundary event
 * hangs off its host activity. A flow `x` of a choice (exclusive / event-based / inclusive
 * gateway, or an activity with an interrupting boundary event) dominates everything that only
 * that choice outcome reaches (a link throw event leads to its catch event like a flow). If two flows entering a parallel join are dominated by
 * different outcomes of the same choice, at most one of them ever carries a token: the join
 * deadlocks. Symmetrically, if two flows entering an exclusive merge are dominated by
 * different branches of one parallel split, both branches pass the merge (no synchronisation).
 * Walks stop at the join's immediate dominator, so the cost stays near-linear for structured
 * models.
 */
export interface BranchConflict {
  readonly kind: 'deadlock' | 'unsynchronized';
  /** The join (parallel gateway for deadlocks, exclusive gateway otherwise). */
  readonly joinId: string;
  /** The split or choice whose branches meet at the join. */
  readonly splitId: string;
  /** Two flows entering the join from different branches of the split. */
  readonly edgeIds: readonly [string, string];
}

const EXCLUSIVE_CHOICES: ReadonlySet<string> = new Set([
  'exclusiveGateway',
  'eventBasedGateway',
  'inclusiveGateway',
]);

interface Dominators {
  readonly index: ReadonlyMap<string, number>;
  readonly names: readonly string[];
  /** idom by vertex number; -1 when unreachable. */
  readonly idom: Int32Array;
}

const ROOT = '#root';
const edgeVertex = (id: string): string => `e:${id}`;

const memo = new WeakMap<ProcessGraph, readonly BranchConflict[]>();

export function findBranchConflicts(graph: ProcessGraph): readonly BranchConflict[] {
  let conflicts = memo.get(graph);
  if (!conflicts) {
    conflicts = computeConflicts(graph);
    memo.set(graph, conflicts);
  }
  return conflicts;
}

function computeConflicts(graph: ProcessGraph): BranchConflict[] {
  const conflicts: BranchConflict[] = [];
  for (const [scope, nodes] of graph.nodesByScope) {
    const inScope = (id: string): boolean => graph.scopeOf.get(id) === scope;
    const dom = dominators(graph, nodes, inScope);
    for (const join of nodes) {
      let kind: BranchConflict['kind'];
      if (join.type === 'parallelGateway') kind = 'deadlock';
      else if (join.type === 'exclusiveGateway') kind = 'unsynchronized';
      else continue;
      const entering = incomingOf(graph, join.id).filter(
        (e) => inScope(e.source) && isReachable(dom, edgeVertex(e.id)),
      );
      if (entering.length < 2) continue;
      const stop = idomOf(dom, join.id);
      const outcomes = entering.map((e) =>
        branchOutcomes(
          graph,
          dom,
          edgeVertex(e.id),
          stop,
          kind === 'deadlock' ? exclusiveOutcome : parallelOutcome,
        ),
      );
      const reported = new Set<string>();
      for (let i = 0; i < entering.length; i++) {
        for (const [split, label] of outcomes[i]!) {
          if (reported.has(split)) continue;
          for (let j = i + 1; j < entering.length; j++) {
            const other = outcomes[j]!.get(split);
            if (other !== undefined && other !== label) {
              reported.add(split);
              conflicts.push({
                kind,
                joinId: join.id,
                splitId: split,
                edgeIds: [entering[i]!.id, entering[j]!.id],
              });
              break;
            }
          }
        }
      }
    }
  }
  return conflicts;
}

type OutcomeOf = (
  graph: ProcessGraph,
  vertex: string,
) => [split: string, label: string] | undefined;

/** Which outcome of an exclusive choice `vertex` is, if it is one. */
const exclusiveOutcome: OutcomeOf = (graph, vertex) => {
  if (vertex.startsWith('e:')) {
    const edge = graph.edgeById.get(vertex.slice(2));
    const source = edge && graph.nodeById.get(edge.source);
    if (!edge || !source) return undefined;
    if (EXCLUSIVE_CHOICES.has(source.type)) return [source.id, edge.id];
    const interrupting = (graph.boundaryByHost.get(source.id) ?? []).some(
      (b) => b.data.interrupting,
    );
    if (ACTIVITY_TYPES.has(source.type) && interrupting) return [source.id, '#completed'];
    return undefined;
  }
  const node = graph.nodeById.get(vertex);
  if (node?.type === 'boundaryEvent' && node.data.interrupting)
    return [node.data.attachedTo, node.id];
  return undefined;
};

/** Which branch of a parallel split `vertex` is, if it is one. */
const parallelOutcome: OutcomeOf = (graph, vertex) => {
  if (vertex.startsWith('e:')) {
    const edge = graph.edgeById.get(vertex.slice(2));
    const source = edge && graph.nodeById.get(edge.source);
    if (!edge || !source || EXCLUSIVE_CHOICES.has(source.type)) return undefined;
    const concurrent =
      outgoingOf(graph, source.id).length +
      (graph.boundaryByHost.get(source.id) ?? []).filter((b) => !b.data.interrupting).length;
    return concurrent >= 2 ? [source.id, edge.id] : undefined;
  }
  const node = graph.nodeById.get(vertex);
  if (node?.type === 'boundaryEvent' && !node.data.interrupting)
    return [node.data.attachedTo, node.id];
  return undefined;
};

function branchOutcomes(
  graph: ProcessGraph,
  dom: Dominators,
  from: string,
  stop: number,
  outcomeOf: OutcomeOf,
): Map<string, string> {
  const result = new Map<string, string>();
  let v = dom.index.get(from);
  let guard = dom.names.length;
  while (v !== undefined && v !== stop && v > 0 && guard-- > 0) {
    const outcome = outcomeOf(graph, dom.names[v]!);
    if (outcome && !result.has(outcome[0])) result.set(outcome[0], outcome[1]);
    const next = dom.idom[v]!;
    if (next < 0 || next === v) break;
    v = next;
  }
  return result;
}

function isReachable(dom: Dominators, vertex: string): boolean {
  const i = dom.index.get(vertex);
  return i !== undefined && dom.idom[i]! >= 0;
}

function idomOf(dom: Dominators, vertex: string): number {
  const i = dom.index.get(vertex);
  return i === undefined ? -1 : dom.idom[i]!;
}

/** Immediate dominators (Cooper, Harvey & Kennedy), iterative throughout. */
function dominators(
  graph: ProcessGraph,
  nodes: readonly ProcessNode[],
  inScope: (id: string) => boolean,
): Dominators {
  const names: string[] = [ROOT];
  const index = new Map<string, number>([[ROOT, 0]]);
  const add = (name: string): number => {
    let i = index.get(name);
    if (i === undefined) {
      i = names.length;
      names.push(name);
      index.set(name, i);
    }
    return i;
  };
  const succ: number[][] = [[]];
  const link = (a: number, b: number): void => {
    while (succ.length <= Math.max(a, b)) succ.push([]);
    succ[a]!.push(b);
  };
  for (const n of nodes) {
    const v = add(n.id);
    if (n.type === 'startEvent') link(0, v);
    for (const e of outgoingOf(graph, n.id)) {
      if (!inScope(e.target)) continue;
      const ev = add(edgeVertex(e.id));
      link(v, ev);
      link(ev, add(e.target));
    }
    for (const b of graph.boundaryByHost.get(n.id) ?? []) {
      if (inScope(b.id)) link(v, add(b.id));
    }
    // A link throw event goes on at its catch event (on the same level): an edge of the flow.
    const target = linkTargetOf(graph, n);
    if (target && inScope(target.id)) link(v, add(target.id));
  }
  while (succ.length < names.length) succ.push([]);

  // Reverse post-order by iterative DFS.
  const count = names.length;
  const order = new Int32Array(count).fill(-1);
  const postorder: number[] = [];
  const visited = new Uint8Array(count);
  const stack: [number, number][] = [[0, 0]];
  visited[0] = 1;
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const children = succ[top[0]]!;
    if (top[1] < children.length) {
      const child = children[top[1]++]!;
      if (!visited[child]) {
        visited[child] = 1;
        stack.push([child, 0]);
      }
    } else {
      postorder.push(top[0]);
      stack.pop();
    }
  }
  const rpo = postorder.reverse();
  rpo.forEach((v, i) => (order[v] = i));
  const preds: number[][] = Array.from({ length: count }, () => []);
  for (const v of rpo) for (const s of succ[v]!) preds[s]!.push(v);

  const idom = new Int32Array(count).fill(-1);
  idom[0] = 0;
  const intersect = (a: number, b: number): number => {
    while (a !== b) {
      while (order[a]! > order[b]!) a = idom[a]!;
      while (order[b]! > order[a]!) b = idom[b]!;
    }
    return a;
  };
  let changed = true;
  while (changed) {
    changed = false;
    for (let k = 1; k < rpo.length; k++) {
      const v = rpo[k]!;
      let candidate = -1;
      for (const p of preds[v]!) {
        if (idom[p]! < 0) continue;
        candidate = candidate < 0 ? p : intersect(p, candidate);
      }
      if (candidate >= 0 && idom[v] !== candidate) {
        idom[v] = candidate;
        changed = true;
      }
    }
  }
  return { index, names, idom };
}
