/**
 * Canonical JSON: object keys sorted by UTF-16 code units, no whitespace, `undefined`
 * properties omitted, numbers as ECMAScript prints them (the RFC 8785 key order and number
 * form). Same value, same bytes: the basis of plan hashes.
 */
export function canonicalJson(value: unknown): string {
  const writer = { out: '', at: [] as (string | number)[] };
  write(value, writer);
  return writer.out;
}

interface Writer {
  // One growing string: V8 appends without copying until it is read.
  out: string;
  /** Where the value being written sits, spelled out only for an error. */
  readonly at: (string | number)[];
}

function pathOf(at: readonly (string | number)[]): string {
  return `$${at.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('')}`;
}

function write(value: unknown, w: Writer): void {
  if (value === null) {
    w.out += 'null';
    return;
  }
  switch (typeof value) {
    case 'string':
      w.out += JSON.stringify(value);
      return;
    case 'boolean':
      w.out += value ? 'true' : 'false';
      return;
    case 'number':
      if (!Number.isFinite(value))
        throw new TypeError(`canonicalJson: ${pathOf(w.at)} is not a finite number`);
      w.out += JSON.stringify(value);
      return;
    case 'object': {
      if (Array.isArray(value)) {
        w.out += '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) w.out += ',';
          const item: unknown = value[i];
          w.at.push(i);
          write(item === undefined ? null : item, w);
          w.at.pop();
        }
        w.out += ']';
        return;
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      w.out += '{';
      let first = true;
      for (const key of keys) {
        const item = record[key];
        if (item === undefined) continue;
        w.out += first ? `${JSON.stringify(key)}:` : `,${JSON.stringify(key)}:`;
        first = false;
        w.at.push(key);
        write(item, w);
        w.at.pop();
      }
      w.out += '}';
      return;
    }
    default:
      throw new TypeError(`canonicalJson: ${pathOf(w.at)} is a ${typeof value}, not JSON`);
  }
}
