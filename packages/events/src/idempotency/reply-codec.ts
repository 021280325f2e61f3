/**
 * JSON for stored replies that keeps what plain JSON loses in aggregate state:
 * `bigint` (amounts, versions), `Date` and `undefined` object members. Values
 * are tagged objects (`{"$bigint":"12"}`, `{"$date":"…"}`); a plain object that
 * happens to have a `$`-key is escaped as `{"$object": {...}}`, so decoding is
 * exact for every value the encoder accepts.
 */
export function encodeReply(value: unknown): string {
  return JSON.stringify(tag(value));
}

/** The inverse of {@link encodeReply}. */
export function decodeReply<T>(json: string | object): T {
  return untag(typeof json === 'string' ? (JSON.parse(json) as unknown) : json) as T;
}

function tag(value: unknown): unknown {
  if (typeof value === 'bigint') return { $bigint: value.toString() };
  if (value instanceof Date) return { $date: value.toISOString() };
  if (Array.isArray(value)) return value.map(tag);
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString('base64') };
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    let escaped = false;
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      if (k.startsWith('$')) escaped = true;
      define(out, k, tag(v));
    }
    return escaped ? { $object: out } : out;
  }
  if (typeof value === 'function' || typeof value === 'symbol') {
    throw new TypeError(`cannot store a ${typeof value} in a reply`);
  }
  return value;
}

function untag(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(untag);
  if (value === null || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1) {
    const [k] = keys;
    const v = o[k!];
    if (k === '$bigint' && typeof v === 'string') return BigInt(v);
    if (k === '$date' && typeof v === 'string') return new Date(v);
    if (k === '$bytes' && typeof v === 'string') return new Uint8Array(Buffer.from(v, 'base64'));
    if (k === '$object' && v !== null && typeof v === 'object') return untagMembers(v);
  }
  return untagMembers(o);
}

function untagMembers(o: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) define(out, k, untag(v));
  return out;
}

// A member named `__proto__` must stay a member, not become the prototype.
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
