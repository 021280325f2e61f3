import type { AgentGraph } from './agent-definition.js';

/** One node of a normalized agent graph. */
export interface GraphNode {
  readonly id: string;
  readonly type: 'model' | 'tools' | 'answer';
  readonly instructions?: string;
}
/** One edge; `when` picks it by what the model did. */
export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly when?: 'tool_calls' | 'answer';
}
/** An agent graph with explicit nodes and edges (a ReAct loop written out). */
export interface NormalizedGraph {
  readonly entry: string;
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

/** The ReAct loop: the model asks for tools, sees their results, and answers. */
export const REACT_GRAPH: NormalizedGraph = {
  entry: 'agent',
  nodes: [
    { id: 'agent', type: 'model' },
    { id: 'tools', type: 'tools' },
    { id: 'answer', type: 'answer' },
  ],
  edges: [
    { from: 'agent', to: 'tools', when: 'tool_calls' },
    { from: 'agent', to: 'answer', when: 'answer' },
    { from: 'tools', to: 'agent' },
  ],
};

/** The graph as nodes and edges, whatever the definition's shorthand. */
export function graphOf(graph: AgentGraph): NormalizedGraph {
  if (graph.kind === 'react') return REACT_GRAPH;
  return {
    entry: graph.entry,
    nodes: graph.nodes.map((n) => ({
      id: n.id,
      type: n.type,
      ...(n.instructions !== undefined ? { instructions: n.instructions } : {}),
    })),
    edges: graph.edges.map((e) => ({
      from: e.from,
      to: e.to,
      ...(e.when ? { when: e.when } : {}),
    })),
  };
}

/** Node ids reachable from the entry. */
export function reachable(g: NormalizedGraph): Set<string> {
  const seen = new Set<string>();
  const stack = [g.entry];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const e of g.edges) if (e.from === id) stack.push(e.to);
  }
  return seen;
}

/** A cycle reachable from the entry (node ids, first repeated at the end), if any. */
export function findCycle(g: NormalizedGraph): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'open') return [...path.slice(path.indexOf(id)), id];
    if (state.get(id) === 'done') return undefined;
    state.set(id, 'open');
    path.push(id);
    for (const e of g.edges) {
      if (e.from !== id) continue;
      const c = visit(e.to);
      if (c) return c;
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };
  return visit(g.entry);
}
