import { Ajv } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { defineRule } from '../lint-rule.js';

type Validator = Pick<Ajv, 'validateSchema' | 'compile' | 'errorsText' | 'errors'>;

let validators: { draft7: Validator; draft2019: Validator; draft2020: Validator } | undefined;
const verdicts = new Map<string, string | undefined>();

function validatorFor(schema: Record<string, unknown>): Validator {
  validators ??= {
    // Forms carry UI keywords (ui:widget, x-...): strict mode would reject valid schemas.
    draft7: new Ajv({ strict: false }),
    draft2019: new Ajv2019({ strict: false }),
    draft2020: new Ajv2020({ strict: false }),
  };
  const dialect = typeof schema.$schema === 'string' ? schema.$schema : '';
  if (dialect.includes('2020-12')) return validators.draft2020;
  if (dialect.includes('2019-09')) return validators.draft2019;
  return validators.draft7;
}

/** Why `schema` is not a usable JSON Schema for a form, or `undefined` when it is. Cached. */
export function formSchemaProblem(schema: Record<string, unknown>): string | undefined {
  const key = JSON.stringify(schema);
  if (verdicts.has(key)) return verdicts.get(key);
  const verdict = check(schema);
  verdicts.set(key, verdict);
  return verdict;
}

function check(schema: Record<string, unknown>): string | undefined {
  const ajv = validatorFor(schema);
  try {
    if (!ajv.validateSchema(schema)) return ajv.errorsText(ajv.errors, { dataVar: 'form' });
    // Compiling also finds unresolvable $refs and invalid regular expressions.
    ajv.compile(schema);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  if (schema.type !== 'object')
    return 'a form schema describes the submitted object: its root needs "type": "object"';
  return undefined;
}

export const formSchemaInvalid = defineRule(
  {
    code: 'AM027',
    name: 'form-schema-invalid',
    title: 'A user task form is not a valid JSON Schema of an object',
    severity: 'error',
  },
  ({ definition, report }) => {
    definition.nodes.forEach((n, i) => {
      if (n.type !== 'userTask' || !n.data.binding?.form) return;
      const problem = formSchemaProblem(n.data.binding.form);
      if (problem !== undefined) {
        report({
          elementId: n.id,
          elementKind: 'node',
          path: `nodes[${i}].data.binding.form`,
          message: `form is not a valid JSON Schema: ${problem}`,
        });
      }
    });
  },
);
