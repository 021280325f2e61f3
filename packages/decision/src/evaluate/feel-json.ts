/**
 * A FEEL value as JSON: numbers stay numbers (non-finite ones become null), dates, times,
 * durations and ranges become their ISO text, functions become null.
 */
export function feelToJson(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'function') return null;
  if (Array.isArray(value)) return value.map(feelToJson);
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- feelin's temporal values define toString()
      return String(value);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = feelToJson(v);
    return out;
  }
  return null;
}
