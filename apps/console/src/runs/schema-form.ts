/**
 * The form a user task asks for, from its JSON Schema: one field per property of an object
 * schema (string, number, integer, boolean, enum). Nested objects and arrays are edited as JSON.
 */
export interface FormField {
  readonly name: string;
  readonly label: string;
  readonly kind: 'text' | 'number' | 'integer' | 'boolean' | 'enum' | 'json';
  readonly required: boolean;
  readonly options?: readonly string[];
  readonly description?: string;
}

type Schema = Record<string, unknown>;

export function formFields(schema: Schema | undefined): FormField[] {
  const properties = (schema?.['properties'] ?? {}) as Record<string, Schema>;
  const required = new Set(
    Array.isArray(schema?.['required']) ? (schema['required'] as string[]) : [],
  );
  return Object.entries(properties).map(([name, p]) => {
    const type = p['type'];
    const kind: FormField['kind'] = Array.isArray(p['enum'])
      ? 'enum'
      : type === 'string'
        ? 'text'
        : type === 'number'
          ? 'number'
          : type === 'integer'
            ? 'integer'
            : type === 'boolean'
              ? 'boolean'
              : 'json';
    return {
      name,
      label: typeof p['title'] === 'string' ? p['title'] : name,
      kind,
      required: required.has(name),
      ...(Array.isArray(p['enum']) ? { options: (p['enum'] as unknown[]).map(String) } : {}),
      ...(typeof p['description'] === 'string' ? { description: p['description'] } : {}),
    };
  });
}

/** Turns the raw inputs into the submission; returns the first problem naming the field. */
export function formSubmission(
  fields: readonly FormField[],
  raw: Readonly<Record<string, string | boolean>>,
): { ok: true; data: Record<string, unknown> } | { ok: false; message: string } {
  const data: Record<string, unknown> = {};
  for (const f of fields) {
    const v = raw[f.name];
    if (f.kind === 'boolean') {
      data[f.name] = v === true;
      continue;
    }
    const text = typeof v === 'string' ? v.trim() : '';
    if (text === '') {
      if (f.required) return { ok: false, message: `${f.label} is required` };
      continue;
    }
    if (f.kind === 'number' || f.kind === 'integer') {
      const n = Number(text);
      if (!Number.isFinite(n) || (f.kind === 'integer' && !Number.isInteger(n)))
        return {
          ok: false,
          message: `${f.label} must be ${f.kind === 'integer' ? 'a whole number' : 'a number'}`,
        };
      data[f.name] = n;
    } else if (f.kind === 'json') {
      try {
        data[f.name] = JSON.parse(text) as unknown;
      } catch {
        return { ok: false, message: `${f.label} must be JSON` };
      }
    } else data[f.name] = text;
  }
  return { ok: true, data };
}
