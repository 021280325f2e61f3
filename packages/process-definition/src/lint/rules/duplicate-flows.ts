import { edgeScope } from '../../graph/canonical-order.js';
import { defineRule } from '../lint-rule.js';

export const duplicateFlow = defineRule(
  {
    code: 'AM040',
    name: 'duplicate-flow',
    title:
      'Two sequence flows connect the same source and target with the same condition (one token becomes two)',
    severity: 'error',
  },
  ({ definition, graph, report }) => {
    const first = new Map<string, string>();
    definition.edges.forEach((e, i) => {
      const key = JSON.stringify([
        edgeScope(e, graph.scopeOf),
        e.source,
        e.target,
        e.data.condition ?? '',
      ]);
      const earlier = first.get(key);
      if (earlier === undefined) {
        first.set(key, e.id);
        return;
      }
      report({
        elementId: e.id,
        elementKind: 'edge',
        path: `edges[${i}]`,
        message: `flow '${e.id}' duplicates '${earlier}': same source '${e.source}', target '${e.target}' and condition`,
      });
    });
  },
);
