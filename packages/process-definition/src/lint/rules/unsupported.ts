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
      const defs = n.data.eventDefinitions?.length
        ? ` with ${n.data.eventDefinitions.join(', ')}`
        : '';
      const d = n.data;
      const features = [
        d.loop === 'multiInstance' ? 'multi-instance' : d.loop === 'standard' ? 'loop' : undefined,
        d.triggeredByEvent ? 'event subprocess' : undefined,
        d.isForCompensation ? 'compensation handler' : undefined,
        d.scriptFormat !== undefined ? `script format '${d.scriptFormat}'` : undefined,
        d.instantiate ? 'instantiating event gateway' : undefined,
      ].filter((f) => f !== undefined);
      const reason = features.length > 0 ? ` (${features.join(', ')})` : '';
      report({
        elementId: n.id,
        elementKind: 'node',
        path: `nodes[${i}]`,
        message: `${n.data.bpmnType}${defs}${reason} is not executed by Ameide; replace it with a supported element`,
      });
    });
  },
);
