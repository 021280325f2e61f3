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
 */
export function turnSchema(tools: readonly CompiledTool[]): GrammarSchema {
  const answer = {
    type: 'object',
    properties: { answer: { type: 'string', maxLength: MAX_ANSWER_LENGTH } },
  };
  if (tools.length === 0) return answer;
  return {
    oneOf: [
      ...tools.map((t) => ({
        type: 'object',
        properties: { tool: { const: t.name }, arguments: grammarOf(t.parameters, true) },
      })),
      answer,
    ],
  };
}

function grammarOf(s: JsonSchema, top: boolean): GrammarSchema {
  if (s.const !== undefined) return { const: s.const };
  if (s.enum) return { enum: s.enum };
  switch (s.type) {
    case 'string':
      return { type: 'string', maxLength: s.maxLength ?? 120 };
    case 'integer':
    case 'number':
    case 'boolean':
      return { type: s.type };
    case 'array':
      return {
        type: 'array',
        items: s.items ? grammarOf(s.items, false) : {},
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
          keep.filter((k) => props[k]).map((k) => [k, grammarOf(props[k]!, false)]),
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
