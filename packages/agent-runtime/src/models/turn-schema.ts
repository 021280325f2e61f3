import type { CompiledTool, JsonSchema } from '@ameide/agent-definition';

/** Longest answer a grammar-bound model may write. */
export const MAX_ANSWER_LENGTH = 400;

/** A JSON schema as node-llama-cpp's grammar builder takes it (no `required`: every property is written). */
export type GrammarSchema = Readonly<Record<string, unknown>>;

/**
 * The schema of one turn of a grammar-bound model: `{"tool": <name>, "arguments": {...}}` for
 * each tool, or `{"answer": "..."}`. Arguments keep the tool's required fields only (all of
 * them when none are marked), every string bounded by `maxLength`: a grammar forces every
 * property it lists, and a small model fills an unbounded string up to the token limit.
 *
 * With `ids` (the ids the conversation holds, see {@link idsIn}), every string argument named
 * `id` or `…Id` is one of them: a small model miscopies a 36-character id often enough to read
 * or propose for a customer that does not exist.
 */
export function turnSchema(
  tools: readonly CompiledTool[],
  options: { readonly ids?: readonly string[] } = {},
): GrammarSchema {
  const ids = options.ids?.length ? [...options.ids] : undefined;
  const answer = {
    type: 'object',
    properties: { answer: { type: 'string', maxLength: MAX_ANSWER_LENGTH } },
  };
  if (tools.length === 0) return answer;
  return {
    oneOf: [
      ...tools.map((t) => ({
        type: 'object',
        properties: { tool: { const: t.name }, arguments: grammarOf(t.parameters, true, ids) },
      })),
      answer,
    ],
  };
}

/** Ids (UUIDs) in a text, in order of first appearance. */
export function idsIn(text: string): string[] {
  return [
    ...new Set(text.match(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi)),
  ];
}

const isIdField = (key: string) => key === 'id' || /[a-z0-9]Id$/.test(key);

function grammarOf(
  s: JsonSchema,
  top: boolean,
  ids: readonly string[] | undefined,
  key = '',
): GrammarSchema {
  if (s.const !== undefined) return { const: s.const };
  if (s.enum) return { enum: s.enum };
  switch (s.type) {
    case 'string':
      if (ids && isIdField(key)) return { enum: ids };
      return { type: 'string', maxLength: s.maxLength ?? 120 };
    case 'integer':
    case 'number':
    case 'boolean':
      return { type: s.type };
    case 'array':
      return {
        type: 'array',
        items: s.items ? grammarOf(s.items, false, ids) : {},
        maxItems: s.maxItems ?? 4,
      };
    case 'object':
    default: {
      const props = s.properties ?? {};
      const keep =
        s.required && s.required.length > 0
          ? s.required
          : top
            ? Object.keys(props)
            : Object.keys(props);
      return {
        type: 'object',
        properties: Object.fromEntries(
          keep.filter((k) => props[k]).map((k) => [k, grammarOf(props[k]!, false, ids, k)]),
        ),
      };
    }
  }
}

/** Reads a grammar-bound model's output as a turn. */
export function parseTurn(
  raw: string,
  tools: readonly CompiledTool[],
):
  | { kind: 'tool_calls'; calls: { name: string; args: unknown }[] }
  | { kind: 'answer'; text: string }
  | { kind: 'malformed'; raw: string; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    return { kind: 'malformed', raw, error: `not JSON: ${(err as Error).message}` };
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    if (typeof o['answer'] === 'string') return { kind: 'answer', text: o['answer'] };
    if (typeof o['tool'] === 'string' && tools.some((t) => t.name === o['tool']))
      return { kind: 'tool_calls', calls: [{ name: o['tool'], args: o['arguments'] ?? {} }] };
  }
  return {
    kind: 'malformed',
    raw,
    error: 'expected {"tool": ..., "arguments": ...} or {"answer": ...}',
  };
}
