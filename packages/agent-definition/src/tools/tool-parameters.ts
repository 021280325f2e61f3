import type { ArgumentConstraint } from '../model/agent-definition.js';
import type { JsonSchema } from './tool-schema.js';

/** A constraint that names no field of the method's input. */
export class UnknownArgument extends Error {
  constructor(readonly argument: string) {
    super(`no field ${argument} in the method's input`);
  }
}

/**
 * The tool's parameter schema: the method's input schema with the definition's constraints
 * applied at their field paths (`amount.currency`). Throws {@link UnknownArgument}.
 */
export function applyConstraints(
  schema: JsonSchema,
  constraints: Readonly<Record<string, ArgumentConstraint>>,
): JsonSchema {
  let out = schema;
  for (const [path, c] of Object.entries(constraints)) {
    out = patchAt(out, path.split('.'), c, path);
  }
  return out;
}

function patchAt(
  schema: JsonSchema,
  segments: readonly string[],
  c: ArgumentConstraint,
  path: string,
): JsonSchema {
  const [head, ...rest] = segments;
  const field = head !== undefined ? schema.properties?.[head] : undefined;
  if (head === undefined || !field) throw new UnknownArgument(path);
  const patched = rest.length === 0 ? constrain(field, c, path) : patchAt(field, rest, c, path);
  const required =
    rest.length === 0 && c.required
      ? [...new Set([...(schema.required ?? []), head])]
      : schema.required;
  return {
    ...schema,
    properties: { ...schema.properties, [head]: patched },
    ...(required ? { required } : {}),
  };
}

function constrain(field: JsonSchema, c: ArgumentConstraint, path: string): JsonSchema {
  if (field.type === 'object' || field.type === 'array') {
    if (c.const !== undefined || c.enum || c.pattern || c.maxLength || c.minimum || c.maximum)
      throw new UnknownArgument(`${path} (a message or list: constrain its fields)`);
    return field;
  }
  return {
    ...field,
    ...(c.const !== undefined ? { const: c.const } : {}),
    ...(c.enum ? { enum: c.enum } : {}),
    ...(c.pattern !== undefined ? { pattern: c.pattern } : {}),
    ...(c.maxLength !== undefined ? { maxLength: c.maxLength } : {}),
    ...(c.minimum !== undefined ? { minimum: c.minimum } : {}),
    ...(c.maximum !== undefined ? { maximum: c.maximum } : {}),
  };
}
