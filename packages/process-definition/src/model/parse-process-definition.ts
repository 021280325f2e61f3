import type { z } from 'zod';
import { processDefinitionSchema, type ProcessDefinition } from './process-definition.js';

/** A schema violation, naming the field by path (`nodes[3].data.binding.method`). */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

export type ParseProcessDefinitionResult =
  | { readonly ok: true; readonly definition: ProcessDefinition }
  | { readonly ok: false; readonly errors: readonly FieldError[] };

/**
 * Validates JSON (already parsed, or a string) against the ProcessDefinition schema.
 * Never throws; unknown keys inside `data` are errors, UI-only keys on nodes and edges
 * (React Flow's `selected`, `measured`, ...) are dropped.
 */
export function parseProcessDefinition(json: unknown): ParseProcessDefinitionResult {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json) as unknown;
    } catch (err) {
      return { ok: false, errors: [{ path: '', message: `not JSON: ${(err as Error).message}` }] };
    }
  }
  const result = processDefinitionSchema.safeParse(value);
  if (result.success) return { ok: true, definition: result.data };
  return { ok: false, errors: result.error.issues.map(toFieldError) };
}

function toFieldError(issue: z.core.$ZodIssue): FieldError {
  return { path: formatPath(issue.path), message: issue.message };
}

/** `['nodes', 3, 'data']` → `nodes[3].data`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}
