import { ROOT_SCOPE } from '../../graph/process-graph.js';
import { defineRule } from '../lint-rule.js';

export const compensationWithoutHandler = defineRule(
  {
    code: 'AM030',
    name: 'compensation-without-handler',
    title:
      'A compensation end event has no service task with a compensation binding to undo in its scope',
    severity: 'warning',
  },
  ({ definition, graph, report }) => {
    // Scopes (and their ancestors) that contain a compensable task.
    const compensable = new Set<string>();
    for (const n of definition.nodes) {
      if ((n.type !== 'serviceTask' && n.type !== 'sendTask') || !n.data.binding?.compensation)
        continue;
      let scope = graph.scopeOf.get(n.id);
      let guard = definition.nodes.length + 1;
      while (scope !== undefined && !compensable.has(scope) && guard-- > 0) {
        compensable.add(scope);
        scope = scope === ROOT_SCOPE ? undefined : (graph.scopeOf.get(scope) ?? ROOT_SCOPE);
      }
    }
    for (const n of definition.nodes) {
      if (n.type !== 'endEvent' || n.data.event?.type !== 'compensate') continue;
      if (compensable.has(graph.scopeOf.get(n.id) ?? ROOT_SCOPE)) continue;
      report({
        elementId: n.id,
        elementKind: 'node',
        message: 'nothing to compensate: no service task in this scope has a compensation binding',
      });
    }
  },
);
