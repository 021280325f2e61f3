import { defineRule } from '../lint-rule.js';

export const unsupportedElement = defineRule(
  {
    code: 'AM028',
    name: 'unsupported-element',
    title: 'The definition holds a BPMN element Ameide does not execute',
    severity: 'error',
  },
  ({ definition, report }) => {
    definition.nodes.forEach((n, i) => {
      if (n.type !== 'unsupported') return;
      const defs = n.data.eventDefinitions?.length ? ` with ${n.data.eventDefinitions.join(', ')}` : '';
      const reason = n.data.reason ? ` (${n.data.reason})` : '';
      report({
        elementId: n.id,
        elementKind: 'node',
        path: `nodes[${i}]`,
        message: `${n.data.bpmnType}${defs}${reason} is not executed by Ameide; replace it with a supported element`,
      });
    });
  },
);
