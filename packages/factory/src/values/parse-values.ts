import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';

/**
 * Template input from the command line: `--values` files (YAML or JSON objects) and `k=v`
 * pairs, later ones winning. A `k=v` value is a string; `k:=v` parses `v` as JSON
 * (`replicas:=2`, `tags:=["a"]`).
 */
export async function parseValues(
  files: readonly string[],
  pairs: readonly string[],
): Promise<Record<string, unknown>> {
  const values: Record<string, unknown> = {};
  for (const file of files) {
    const doc: unknown = parse(await readFile(file, 'utf8'));
    if (doc === null || doc === undefined) continue;
    if (typeof doc !== 'object' || Array.isArray(doc)) {
      throw new Error(`--values ${file}: expected a mapping of parameter names to values`);
    }
    Object.assign(values, doc);
  }
  for (const pair of pairs) {
    const json = /^([A-Za-z_][\w-]*):=(.*)$/s.exec(pair);
    if (json) {
      try {
        values[json[1]!] = JSON.parse(json[2]!) as unknown;
      } catch {
        throw new Error(`${pair}: the value after := is not JSON`);
      }
      continue;
    }
    const plain = /^([A-Za-z_][\w-]*)=(.*)$/s.exec(pair);
    if (!plain) throw new Error(`${pair}: expected name=value (or name:=json)`);
    values[plain[1]!] = plain[2]!;
  }
  return values;
}
