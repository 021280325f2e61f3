import type { ProcessDefinition, ProcessNode } from '../model/process-definition.js';
import { ROOT_SCOPE, buildProcessGraph } from './process-graph.js';

/**
 * The definition with nodes and edges in the order BPMN nests them: each level's flow nodes in
 * their original relative order, every subProcess immediately followed by its own level, the
 * level's text annotations last; edges grouped by level in the same order. Relative order
 * within a level (which decides the evaluation order of an exclusive gateway's conditions) is
 * kept. BPMN import produces this order, so `importBpmn(exportBpmn(d))` equals
 * `orderProcessDefinition(d)`.
 */
export function orderProcessDefinition(definition: ProcessDefinition): ProcessDefinition {
  const { nodes, scopes } = orderedNodes(definition);
  const scopeOfNode = buildProcessGraph(definition).scopeOf;
  const edgesByScope = new Map<string, ProcessDefinition['edges'][number][]>();
  for (const e of definition.edges) {
    const scope = edgeScope(e, scopeOfNode);
    const list = edgesByScope.get(scope) ?? [];
    list.push(e);
    edgesByScope.set(scope, list);
  }
  const edges = scopes.flatMap((s) => edgesByScope.get(s) ?? []);
  // Edges of a scope that holds no node (dangling references) keep their place at the end.
  const known = new Set(scopes);
  for (const [scope, list] of edgesByScope) if (!known.has(scope)) edges.push(...list);
  return { ...definition, nodes, edges };
}

/** Level of an edge: its source's, else its target's, else the process level. */
export function edgeScope(
  edge: { source: string; target: string },
  scopeOfNode: ReadonlyMap<string, string>,
): string {
  return scopeOfNode.get(edge.source) ?? scopeOfNode.get(edge.target) ?? ROOT_SCOPE;
}

/** Nodes in nesting order, and the levels in the order they were entered. */
export function orderedNodes(definition: ProcessDefinition): {
  nodes: ProcessNode[];
  scopes: string[];
} {
  const graph = buildProcessGraph(definition);
  const byScope = new Map<string, ProcessNode[]>();
  for (const n of definition.nodes) {
    const scope = graph.scopeOf.get(n.id) ?? ROOT_SCOPE;
    const list = byScope.get(scope) ?? [];
    list.push(n);
    byScope.set(scope, list);
  }
  const flowNodes = new Map<string, ProcessNode[]>();
  for (const [scope, list] of byScope)
    flowNodes.set(
      scope,
      list.filter((n) => n.type !== 'textAnnotation'),
    );
  const nodes: ProcessNode[] = [];
  const scopes: string[] = [];
  const entered = new Set<string>();
  // Iterative pre-order: a frame is a level and the index of its next node.
  const stack: { scope: string; index: number }[] = [{ scope: ROOT_SCOPE, index: 0 }];
  entered.add(ROOT_SCOPE);
  scopes.push(ROOT_SCOPE);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const list = flowNodes.get(frame.scope) ?? [];
    if (frame.index < list.length) {
      const n = list[frame.index++]!;
      nodes.push(n);
      if (byScope.has(n.id) && !entered.has(n.id)) {
        entered.add(n.id);
        scopes.push(n.id);
        stack.push({ scope: n.id, index: 0 });
      }
      continue;
    }
    nodes.push(...(byScope.get(frame.scope) ?? []).filter((n) => n.type === 'textAnnotation'));
    stack.pop();
  }
  return { nodes, scopes };
}
