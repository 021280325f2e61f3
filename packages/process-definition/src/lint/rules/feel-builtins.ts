import { builtinsReadAsValues } from '../../feel/builtin-values.js';
import { spanOf } from '../../model/diagnostic.js';
import { feelFields } from '../fields.js';
import { defineRule } from '../lint-rule.js';

export const feelBuiltinAsValue = defineRule(
  {
    code: 'AM042',
    name: 'feel-builtin-as-value',
    title:
      'A FEEL expression reads a variable named like a built-in function (the function where the variable is not set)',
    severity: 'warning',
  },
  ({ definition, report }) => {
    const found = new Map<string, ReturnType<typeof builtinsReadAsValues>>();
    for (const field of feelFields(definition)) {
      let reads = found.get(field.value);
      if (!reads) found.set(field.value, (reads = builtinsReadAsValues(field.value)));
      for (const read of reads) {
        report({
          elementId: field.elementId,
          elementKind: field.elementKind,
          path: field.path,
          span: spanOf(field.value, read.start, read.end),
          message:
            `'${read.name}' is a FEEL built-in function: wherever no variable '${read.name}' is ` +
            `set, the expression reads the function, not null; rename the variable`,
        });
      }
    }
  },
);
