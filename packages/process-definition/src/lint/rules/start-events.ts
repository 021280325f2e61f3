import { ROOT_SCOPE, incomingOf } from '../../graph/process-graph.js';
import { defineRule } from '../lint-rule.js';

const levelName = (scope: string): string =>
  scope === ROOT_SCOPE ? 'the process level' : `subProcess '${scope}'`;

export const startMissing = defineRule(
  {
    code: 'AM001',
    name: 'start-missing',
    title: 'A level (the process or a subProcess) has no start event',
    severity: 'error',
  },
  ({ definition, graph, report }) => {
    const scopes = [
      ROOT_SCOPE,
      ...definition.nodes.filter((n) => n.type === 'subProcess').map((n) => n.id),
    ];
    for (const scope of new Set(scopes)) {
      const nodes = graph.nodesByScope.get(scope) ?? [];
      // A timer or message start counts (the process may start on one only; AM004 reports
      // triggers inside subProcesses).
      if (nodes.some((n) => n.type === 'startEvent')) continue;
      report({
        elementId: scope === ROOT_SCOPE ? definition.id : scope,
        elementKind: scope === ROOT_SCOPE ? 'process' : 'node',
        message: `${levelName(scope)} has no start event`,
      });
    }
  },
);

export const startMultiple = defineRule(
  {
    code: 'AM002',
    name: 'start-multiple',
    title: 'A level has more than one none start event',
    severity: 'error',
  },
  ({ graph, report }) => {
    for (const [scope, nodes] of graph.nodesByScope) {
      const starts = nodes.filter((n) => n.type === 'startEvent' && n.data.event === undefined);
      for (const extra of starts.slice(1)) {
        report({
          elementId: extra.id,
          elementKind: 'node',
          message: `${levelName(scope)} already starts at '${starts[0]!.id}'; a level has one none start event`,
        });
      }
    }
  },
);

export const startIncoming = defineRule(
  {
    code: 'AM003',
    name: 'start-incoming',
    title: 'A start event has incoming sequence flows',
    severity: 'error',
  },
  ({ definition, graph, report }) => {
    for (const n of definition.nodes) {
      if (n.type !== 'startEvent') continue;
      const incoming = incomingOf(graph, n.id);
      if (incoming.length > 0) {
        report({
          elementId: n.id,
          elementKind: 'node',
          message: `start event has incoming flow(s) ${incoming.map((e) => `'${e.id}'`).join(', ')}`,
        });
      }
    }
  },
);

export const subProcessStartTrigger = defineRule(
  {
    code: 'AM004',
    name: 'subprocess-start-trigger',
    title: 'A start event inside a subProcess has a timer or message trigger',
    severity: 'error',
  },
  ({ definition, graph, report }) => {
    definition.nodes.forEach((n, i) => {
      if (n.type !== 'startEvent' || n.data.event === undefined) return;
      const scope = graph.scopeOf.get(n.id);
      if (scope === undefined || scope === ROOT_SCOPE) return;
      report({
        elementId: n.id,
        elementKind: 'node',
        path: `nodes[${i}].data.event`,
        message: `a start event inside subProcess '${scope}' must be a none start event (event subprocesses are not supported)`,
      });
    });
  },
);
