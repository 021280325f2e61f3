import { isContainer } from '../../graph/process-graph.js';
import { defineRule } from '../lint-rule.js';
import type { ElementKind } from '../../model/diagnostic.js';

export const duplicateId = defineRule(
  {
    code: 'AM009',
    name: 'duplicate-id',
    title: 'An id is used by more than one element',
    severity: 'error',
  },
  ({ definition, report }) => {
    const seen = new Map<string, ElementKind>([[definition.id, 'process']]);
    if (definition.participant) seen.set(definition.participant.id, 'process');
    const check = (id: string, kind: ElementKind, path: string): void => {
      const first = seen.get(id);
      if (first === undefined) {
        seen.set(id, kind);
        return;
      }
      report({
        elementId: id,
        elementKind: kind,
        path,
        message: `id '${id}' is already used by a ${first}`,
      });
    };
    definition.nodes.forEach((n, i) => check(n.id, 'node', `nodes[${i}].id`));
    definition.edges.forEach((e, i) => check(e.id, 'edge', `edges[${i}].id`));
    definition.lanes.forEach((l, i) => check(l.id, 'lane', `lanes[${i}].id`));
  },
);

export const danglingReference = defineRule(
  {
    code: 'AM010',
    name: 'dangling-reference',
    title: 'A flow, lane or parentId names a node that does not exist',
    severity: 'error',
  },
  ({ definition, graph, report }) => {
    definition.edges.forEach((e, i) => {
      for (const end of ['source', 'target'] as const) {
        if (!graph.nodeById.has(e[end])) {
          report({
            elementId: e.id,
            elementKind: 'edge',
            path: `edges[${i}].${end}`,
            message: `${end} '${e[end]}' is not a node of this definition`,
          });
        }
      }
    });
    definition.lanes.forEach((lane, i) => {
      lane.nodeIds.forEach((id, j) => {
        if (!graph.nodeById.has(id)) {
          report({
            elementId: lane.id,
            elementKind: 'lane',
            path: `lanes[${i}].nodeIds[${j}]`,
            message: `lane lists '${id}', which is not a node of this definition`,
          });
        }
      });
    });
    definition.nodes.forEach((n, i) => {
      if (n.parentId !== undefined && !graph.nodeById.has(n.parentId)) {
        report({
          elementId: n.id,
          elementKind: 'node',
          path: `nodes[${i}].parentId`,
          message: `parentId '${n.parentId}' is not a node of this definition`,
        });
      }
    });
  },
);

export const invalidParent = defineRule(
  {
    code: 'AM011',
    name: 'invalid-parent',
    title: 'A parentId names a node that is not a subProcess, or parents form a cycle',
    severity: 'error',
  },
  ({ definition, graph, report }) => {
    definition.nodes.forEach((n, i) => {
      if (n.parentId === undefined) return;
      const parent = graph.nodeById.get(n.parentId);
      if (!parent) return; // AM010
      if (!isContainer(parent)) {
        const what = parent.type === 'unsupported' ? parent.data.bpmnType : parent.type;
        report({
          elementId: n.id,
          elementKind: 'node',
          path: `nodes[${i}].parentId`,
          message: `parent '${parent.id}' is a ${what}; only a subProcess contains nodes`,
        });
      } else if (graph.parentCycles.has(n.id)) {
        report({
          elementId: n.id,
          elementKind: 'node',
          path: `nodes[${i}].parentId`,
          message: `parentId chain of '${n.id}' loops back to itself`,
        });
      }
    });
  },
);

export const invalidFlow = defineRule(
  {
    code: 'AM012',
    name: 'invalid-flow',
    title: 'A sequence flow crosses a subProcess boundary or connects a text annotation',
    severity: 'error',
  },
  ({ definition, graph, report }) => {
    definition.edges.forEach((e, i) => {
      const source = graph.nodeById.get(e.source);
      const target = graph.nodeById.get(e.target);
      if (!source || !target) return; // AM010
      if (source.type === 'textAnnotation' || target.type === 'textAnnotation') {
        report({
          elementId: e.id,
          elementKind: 'edge',
          path: `edges[${i}]`,
          message: 'a sequence flow cannot connect a text annotation',
        });
        return;
      }
      const from = graph.scopeOf.get(source.id);
      const to = graph.scopeOf.get(target.id);
      if (from !== to) {
        report({
          elementId: e.id,
          elementKind: 'edge',
          path: `edges[${i}]`,
          message: `flow connects '${source.id}' and '${target.id}', which are on different levels; sequence flows stay inside one subProcess`,
        });
      }
    });
  },
);

export const variableDuplicate = defineRule(
  {
    code: 'AM029',
    name: 'variable-duplicate',
    title: 'A process variable is declared more than once',
    severity: 'error',
  },
  ({ definition, report }) => {
    const seen = new Set<string>();
    definition.variables.forEach((v, i) => {
      if (seen.has(v.name)) {
        report({
          elementId: v.name,
          elementKind: 'variable',
          path: `variables[${i}].name`,
          message: `variable '${v.name}' is declared more than once`,
        });
      }
      seen.add(v.name);
    });
  },
);
