import { ROOT_SCOPE, incomingOf, linkTargetOf, outgoingOf } from '../../graph/process-graph.js';
import type { ProcessGraph } from '../../graph/process-graph.js';
import type { ProcessNode } from '../../model/process-definition.js';
import { defineRule } from '../lint-rule.js';
import { isEventSubProcess } from './start-events.js';

/** BPMN elements kept as nodes that are not flow nodes (data, not steps: no sequence flow). */
const DATA_REFERENCES: ReadonlySet<string> = new Set([
  'bpmn:DataObjectReference',
  'bpmn:DataStoreReference',
]);

/** Node types that take part in sequence flow (annotations and data references do not). */
const isFlowNode = (n: ProcessNode): boolean =>
  n.type !== 'textAnnotation' &&
  !(n.type === 'unsupported' && DATA_REFERENCES.has(n.data.bpmnType));

export const endOutgoing = defineRule(
  {
    code: 'AM005',
    name: 'end-outgoing',
    title: 'An end event has outgoing sequence flows',
    severity: 'error',
  },
  ({ definition, graph, report }) => {
    for (const n of definition.nodes) {
      if (n.type !== 'endEvent') continue;
      const out = outgoingOf(graph, n.id);
      if (out.length > 0) {
        report({
          elementId: n.id,
          elementKind: 'node',
          message: `end event has outgoing flow(s) ${out.map((e) => `'${e.id}'`).join(', ')}`,
        });
      }
    }
  },
);

/**
 * Nodes a path reaches from the start events of their own level (following boundary events):
 * each level is judged on its own, so a subProcess nothing leads to still has its inside checked,
 * and a level without start event (AM001) does not hide what is wrong inside its subProcesses.
 */
export function locallyReachableNodes(graph: ProcessGraph): Set<string> {
  const seen = new Set<string>();
  const queue: string[] = [];
  const visit = (id: string): void => {
    if (!seen.has(id)) {
      seen.add(id);
      queue.push(id);
    }
  };
  const startsOf = (scope: string): void => {
    // An event subprocess starts when its trigger fires: it counts as a start of its level.
    for (const n of graph.nodesByScope.get(scope) ?? [])
      if (n.type === 'startEvent' || isEventSubProcess(n)) visit(n.id);
  };
  for (const scope of graph.nodesByScope.keys()) startsOf(scope);
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    for (const e of outgoingOf(graph, id)) visit(e.target);
    const node = graph.nodeById.get(id);
    const link = node && linkTargetOf(graph, node);
    if (link) visit(link.id);
    for (const b of graph.boundaryByHost.get(id) ?? []) visit(b.id);
  }
  return seen;
}

export const unreachable = defineRule(
  {
    code: 'AM006',
    name: 'unreachable',
    title: 'A node cannot be reached from a start event',
    severity: 'error',
  },
  ({ definition, graph, report }) => {
    const reached = locallyReachableNodes(graph);
    const starts = new Map<string, boolean>();
    const hasStart = (scope: string): boolean => {
      let known = starts.get(scope);
      if (known === undefined) {
        known = (graph.nodesByScope.get(scope) ?? []).some((n) => n.type === 'startEvent');
        starts.set(scope, known);
      }
      return known;
    };
    for (const n of definition.nodes) {
      if (!isFlowNode(n) || reached.has(n.id) || graph.nodeById.get(n.id) !== n) continue;
      // A level without start event is reported once (AM001).
      if (!hasStart(graph.scopeOf.get(n.id) ?? ROOT_SCOPE)) continue;
      report({
        elementId: n.id,
        elementKind: 'node',
        message: `no path from a start event reaches '${n.id}'`,
      });
    }
  },
);

export const noOutgoing = defineRule(
  {
    code: 'AM007',
    name: 'no-outgoing',
    title: 'A node other than an end event has no outgoing sequence flow',
    severity: 'error',
  },
  ({ definition, graph, report }) => {
    for (const n of definition.nodes) {
      if (!isFlowNode(n) || n.type === 'endEvent' || graph.nodeById.get(n.id) !== n) continue;
      if (isEventSubProcess(n)) continue; // has no flows (AM033)
      if (n.type === 'intermediateThrowEvent' && n.data.event.type === 'link') continue; // AM035
      if (outgoingOf(graph, n.id).length === 0) {
        report({
          elementId: n.id,
          elementKind: 'node',
          message: `'${n.id}' has no outgoing flow: connect it, or end the path with an end event`,
        });
      }
    }
  },
);

export const noPathToEnd = defineRule(
  {
    code: 'AM008',
    name: 'no-path-to-end',
    title: 'A node cannot reach an end event (e.g. a loop without exit)',
    severity: 'error',
  },
  ({ definition, graph, report }) => {
    const canEnd = new Set<string>();
    const queue: string[] = [];
    // A link throw continues at its catch event: walking back, the catch leads to its throws.
    const linkThrows = new Map<string, string[]>();
    for (const n of definition.nodes) {
      const target = linkTargetOf(graph, n);
      if (target) linkThrows.set(target.id, [...(linkThrows.get(target.id) ?? []), n.id]);
    }
    for (const n of definition.nodes) {
      if (n.type === 'endEvent') {
        canEnd.add(n.id);
        queue.push(n.id);
      }
    }
    while (queue.length > 0) {
      const id = queue.pop()!;
      const node = graph.nodeById.get(id);
      const back = incomingOf(graph, id).map((e) => e.source);
      if (node?.type === 'boundaryEvent') back.push(node.data.attachedTo);
      back.push(...(linkThrows.get(id) ?? []));
      for (const source of back) {
        if (!canEnd.has(source) && graph.nodeById.has(source)) {
          canEnd.add(source);
          queue.push(source);
        }
      }
    }
    for (const n of definition.nodes) {
      if (!isFlowNode(n) || canEnd.has(n.id) || graph.nodeById.get(n.id) !== n) continue;
      if (outgoingOf(graph, n.id).length === 0 && !linkTargetOf(graph, n)) continue; // AM007/AM035
      report({
        elementId: n.id,
        elementKind: 'node',
        message: `no path from '${n.id}' reaches an end event`,
      });
    }
  },
);

export const linkEvents = defineRule(
  {
    code: 'AM035',
    name: 'link-events',
    title:
      'A link throw event has no link catch event of its name on its level (or has outgoing flows), or a link catch event has incoming flows or shares its name on its level',
    severity: 'error',
  },
  ({ definition, graph, report }) => {
    const catches = new Map<string, string>();
    definition.nodes.forEach((n, i) => {
      if (n.type === 'intermediateLinkEvent') {
        const key = `${graph.scopeOf.get(n.id) ?? ROOT_SCOPE}\u0000${n.data.link}`;
        const first = catches.get(key);
        if (first !== undefined)
          report({
            elementId: n.id,
            elementKind: 'node',
            path: `nodes[${i}].data.link`,
            message: `link '${n.data.link}' is caught by '${first}' already on this level; a link has one catch event`,
          });
        else catches.set(key, n.id);
        const incoming = incomingOf(graph, n.id);
        if (incoming.length > 0)
          report({
            elementId: n.id,
            elementKind: 'node',
            message: `a link catch event is reached through its link, not by flows; remove ${incoming.map((e) => `'${e.id}'`).join(', ')}`,
          });
      }
      if (n.type !== 'intermediateThrowEvent' || n.data.event.type !== 'link') return;
      if (!linkTargetOf(graph, n))
        report({
          elementId: n.id,
          elementKind: 'node',
          path: `nodes[${i}].data.event.link`,
          message: `no link catch event named '${n.data.event.link}' on the level of '${n.id}'`,
        });
      const out = outgoingOf(graph, n.id);
      if (out.length > 0)
        report({
          elementId: n.id,
          elementKind: 'node',
          message: `a link throw event goes on at its link catch event; remove ${out.map((e) => `'${e.id}'`).join(', ')}`,
        });
    });
  },
);
