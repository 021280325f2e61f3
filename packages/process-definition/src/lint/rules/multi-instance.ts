import { defineRule } from '../lint-rule.js';

/** Variables a multi-instance activity defines itself inside each instance or its condition. */
const RESERVED = new Set([
  'loopCounter',
  'numberOfInstances',
  'numberOfCompletedInstances',
  'numberOfActiveInstances',
]);

export const multiInstanceShape = defineRule(
  {
    code: 'AM041',
    name: 'multi-instance-shape',
    title:
      'A multi-instance activity sets a field that has no effect, or names a variable the loop defines itself',
    severity: 'error',
  },
  ({ definition, report }) => {
    definition.nodes.forEach((n, i) => {
      if (!('multiInstance' in n.data) || !n.data.multiInstance) return;
      const mi = n.data.multiInstance;
      const at = (field: string, message: string): void =>
        report({
          elementId: n.id,
          elementKind: 'node',
          path: `nodes[${i}].data.multiInstance.${field}`,
          message,
        });
      if (mi.outputElement !== undefined && mi.outputCollection === undefined)
        at(
          'outputElement',
          'outputElement has no effect without outputCollection; name the variable that receives the results',
        );
      if (mi.sequential === true && mi.maxConcurrency !== undefined)
        at(
          'maxConcurrency',
          'a sequential multi-instance runs one instance at a time; remove maxConcurrency or make it parallel',
        );
      for (const field of ['inputElement', 'outputCollection'] as const) {
        const name = mi[field];
        if (name !== undefined && RESERVED.has(name))
          at(field, `'${name}' is defined by the multi-instance loop itself; choose another name`);
      }
      if (mi.inputElement !== undefined && mi.inputElement === mi.outputCollection)
        at(
          'outputCollection',
          `outputCollection '${mi.outputCollection}' is also the inputElement; choose another name`,
        );
    });
  },
);
