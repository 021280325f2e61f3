import jsonschema from 'jsonschema';
import type { ParameterPage } from '../template/template-entity.js';

/** One parameter that is off: the field (`name`, `namespace`) and why. */
export interface ValueViolation {
  readonly field: string;
  readonly description: string;
}

/** Template input that does not satisfy the template's parameter schema. */
export class InvalidValuesError extends Error {
  constructor(
    readonly template: string,
    readonly violations: readonly ValueViolation[],
  ) {
    super(
      `invalid input for template ${template}: ${violations
        .map((v) => `${v.field}: ${v.description}`)
        .join('; ')}`,
    );
    this.name = 'InvalidValuesError';
  }
}

/** The schema keys Backstage's form reads and JSON Schema does not know. */
function withoutUiKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUiKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([k]) => !k.startsWith('ui:'))
      .map(([k, v]) => [k, withoutUiKeys(v)]),
  );
}

function describe(page: ParameterPage, field: string, message: string): string {
  const property = page.properties?.[field];
  const hint =
    property && typeof property['ui:help'] === 'string'
      ? ` (${property['ui:help']})`
      : property && typeof property.description === 'string'
        ? ` (${property.description})`
        : '';
  return `${message}${hint}`;
}

/**
 * Checks template input against every parameters page, as Backstage's scaffolder backend does
 * before it runs a task (the `jsonschema` validator, page by page). Every violation names its
 * field; `InvalidValuesError` lists them all.
 */
export function validateValues(
  template: string,
  pages: readonly ParameterPage[],
  values: Readonly<Record<string, unknown>>,
): void {
  const violations = valueViolations(pages, values);
  if (violations.length > 0) throw new InvalidValuesError(template, violations);
}

/** The violations {@link validateValues} would report (empty: the input is valid). */
export function valueViolations(
  pages: readonly ParameterPage[],
  values: Readonly<Record<string, unknown>>,
): ValueViolation[] {
  const validator = new jsonschema.Validator();
  const violations: ValueViolation[] = [];
  const seen = new Set<string>();
  for (const page of pages) {
    const result = validator.validate(values, withoutUiKeys(page) as jsonschema.Schema);
    for (const error of result.errors) {
      // `if`/`then` failures repeat what the `then` branch already said.
      if (error.name === 'if') continue;
      const field =
        error.name === 'required'
          ? String(error.argument)
          : error.path.map(String).join('.') || '(input)';
      const message = error.name === 'required' ? 'is required' : error.message;
      const description = describe(page, field, message);
      const key = `${field}\u0000${description}`;
      if (seen.has(key)) continue;
      seen.add(key);
      violations.push({ field, description });
    }
  }
  return violations;
}
