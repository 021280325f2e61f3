import fc from 'fast-check';
import { hostileStrings } from './hostile-strings.js';
import type { Json } from './json.js';

/**
 * `doc` with one to three changes at random places: a value replaced by
 * arbitrary JSON, a key or item removed, an item duplicated. Nearly valid
 * documents reach the linter and compiler rather than the JSON parser.
 */
export function mutated(doc: Json): fc.Arbitrary<Json> {
  const change = fc.record({
    at: fc.nat(),
    op: fc.constantFrom('replace', 'remove', 'duplicate'),
    value: fc.oneof(
      fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
      fc.constantFrom(...hostileStrings),
    ),
  });
  return fc.array(change, { minLength: 1, maxLength: 3 }).map((changes) => {
    let out = structuredClone(doc);
    for (const c of changes) out = applyChange(out, c);
    return out;
  });
}

function applyChange(doc: Json, c: { at: number; op: string; value: Json }): Json {
  const slots: { parent: Json[] | { [k: string]: Json }; key: string | number }[] = [];
  const visit = (v: Json) => {
    if (Array.isArray(v)) {
      v.forEach((item, i) => {
        slots.push({ parent: v, key: i });
        visit(item);
      });
    } else if (v !== null && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) {
        slots.push({ parent: v, key: k });
        visit(item);
      }
    }
  };
  visit(doc);
  const slot = slots[c.at % Math.max(slots.length, 1)];
  if (!slot) return c.value;
  const { parent, key } = slot;
  if (Array.isArray(parent)) {
    const i = key as number;
    if (c.op === 'remove') parent.splice(i, 1);
    else if (c.op === 'duplicate') parent.splice(i, 0, structuredClone(parent[i]!));
    else parent[i] = c.value;
  } else if (c.op === 'remove') delete parent[key as string];
  else
    parent[key as string] =
      c.op === 'duplicate' ? [parent[key as string]!, parent[key as string]!] : c.value;
  return doc;
}
