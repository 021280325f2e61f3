/**
 * Sets `path` inside a plain JSON object immutably. `undefined` or `''` removes the key, and
 * objects left empty by a removal are removed too (an empty binding is no binding).
 */
export function setIn(
  obj: Record<string, unknown>,
  path: readonly string[],
  value: unknown,
): Record<string, unknown> {
  const [key, ...rest] = path;
  if (key === undefined) return obj;
  const out: Record<string, unknown> = { ...obj };
  if (rest.length === 0) {
    if (value === undefined || value === '') delete out[key];
    else out[key] = value;
    return out;
  }
  const child = out[key];
  const next = setIn(
    typeof child === 'object' && child !== null && !Array.isArray(child)
      ? (child as Record<string, unknown>)
      : {},
    rest,
    value,
  );
  if (Object.keys(next).length === 0) delete out[key];
  else out[key] = next;
  return out;
}

/** Reads `path` inside a plain JSON object. */
export function getIn(obj: unknown, path: readonly string[]): unknown {
  let v = obj;
  for (const k of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}
