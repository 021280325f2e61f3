/**
 * The SQLSTATE of an error raised by Postgres or PGlite (e.g. `'42501'` for an
 * RLS refusal, `'23505'` for a unique violation), or undefined for any other
 * error. Follows `cause` chains, so it also works on wrapping errors.
 */
export function sqlStateOf(error: unknown): string | undefined {
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
