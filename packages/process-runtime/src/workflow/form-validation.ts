/**
 * Validates user task submissions against the task's form (a JSON Schema of an object).
 * Synchronous and pure: it runs in the `completeUserTask` update validator.
 *
 * Covers the keywords forms use: type, properties, required, additionalProperties (boolean or
 * schema), enum, const, minLength, maxLength, pattern, minimum, maximum, exclusiveMinimum,
 * exclusiveMaximum, multipleOf, items, minItems, maxItems, uniqueItems. Other keywords
 * (`$ref`, `oneOf`, ...) are not checked here.
 */

export interface FormViolation {
  /** Path of the field, e.g. `approved` or `lines[2].quantity`. */
  readonly field: string;
  readonly description: string;
}

type Schema = Readonly<Record<string, unknown>>;

export function validateForm(schema: Schema | undefined, data: unknown): FormViolation[] {
  if (schema === undefined) {
    return isPlainObject(data) ? [] : [{ field: 'data', description: 'must be an object' }];
  }
  const out: FormViolation[] = [];
  check(schema, data, '', out);
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function matchesType(expected: string, v: unknown): boolean {
  const actual = typeOf(v);
  if (expected === 'number') return actual === 'number' || actual === 'integer';
  return expected === actual;
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

function check(schema: Schema, v: unknown, path: string, out: FormViolation[]): void {
  const field = path === '' ? 'data' : path;
  const type = schema['type'];
  if (type !== undefined) {
    const types = Array.isArray(type) ? (type as string[]) : [type as string];
    if (!types.some((t) => matchesType(t, v))) {
      out.push({ field, description: `must be of type ${types.join(' or ')}, got ${typeOf(v)}` });
      return;
    }
  }
  if (Array.isArray(schema['enum']) && !(schema['enum'] as unknown[]).some((e) => deepEqual(e, v)))
    out.push({ field, description: `must be one of ${JSON.stringify(schema['enum'])}` });
  if ('const' in schema && !deepEqual(schema['const'], v))
    out.push({ field, description: `must be ${JSON.stringify(schema['const'])}` });
  if (typeof v === 'string') {
    const len = [...v].length;
    if (typeof schema['minLength'] === 'number' && len < schema['minLength'])
      out.push({ field, description: `must have at least ${schema['minLength']} characters` });
    if (typeof schema['maxLength'] === 'number' && len > schema['maxLength'])
      out.push({ field, description: `must have at most ${schema['maxLength']} characters` });
    if (typeof schema['pattern'] === 'string' && !new RegExp(schema['pattern'], 'u').test(v))
      out.push({ field, description: `must match ${schema['pattern']}` });
  }
  if (typeof v === 'number') {
    const num = (k: string): number | undefined =>
      typeof schema[k] === 'number' ? schema[k] : undefined;
    const min = num('minimum');
    const max = num('maximum');
    const xmin = num('exclusiveMinimum');
    const xmax = num('exclusiveMaximum');
    const mult = num('multipleOf');
    if (min !== undefined && v < min) out.push({ field, description: `must be >= ${min}` });
    if (max !== undefined && v > max) out.push({ field, description: `must be <= ${max}` });
    if (xmin !== undefined && v <= xmin) out.push({ field, description: `must be > ${xmin}` });
    if (xmax !== undefined && v >= xmax) out.push({ field, description: `must be < ${xmax}` });
    if (mult !== undefined && mult > 0 && Math.abs(v / mult - Math.round(v / mult)) > 1e-9)
      out.push({ field, description: `must be a multiple of ${mult}` });
  }
  if (Array.isArray(v)) {
    if (typeof schema['minItems'] === 'number' && v.length < schema['minItems'])
      out.push({ field, description: `must have at least ${schema['minItems']} items` });
    if (typeof schema['maxItems'] === 'number' && v.length > schema['maxItems'])
      out.push({ field, description: `must have at most ${schema['maxItems']} items` });
    if (
      schema['uniqueItems'] === true &&
      new Set(v.map((x) => JSON.stringify(x))).size !== v.length
    )
      out.push({ field, description: 'must not repeat items' });
    if (isPlainObject(schema['items']))
      v.forEach((item, i) => check(schema['items'] as Schema, item, join(path, i), out));
  }
  if (isPlainObject(v)) {
    const props = isPlainObject(schema['properties'])
      ? (schema['properties'] as Record<string, Schema>)
      : {};
    if (Array.isArray(schema['required'])) {
      for (const key of schema['required'] as string[])
        if (!(key in v) || v[key] === undefined)
          out.push({ field: join(path, key), description: 'is required' });
    }
    for (const [key, value] of Object.entries(v)) {
      const sub = props[key];
      if (sub !== undefined && isPlainObject(sub)) check(sub, value, join(path, key), out);
      else if (sub === undefined) {
        const extra = schema['additionalProperties'];
        if (extra === false)
          out.push({ field: join(path, key), description: 'is not a field of the form' });
        else if (isPlainObject(extra)) check(extra, value, join(path, key), out);
      }
    }
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
