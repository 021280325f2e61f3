import { PersistenceError } from './persistence-error.js';

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Checks that `name` is a plain lower-case SQL identifier (what Postgres folds
 * unquoted names to, at most 63 bytes) and returns it double-quoted. Names are
 * interpolated into DDL (`SET ROLE`, `CREATE SCHEMA`), so anything else is refused
 * rather than escaped.
 *
 * @param what - names the field in the error, e.g. `'schema'`.
 */
export function quoteIdentifier(name: string, what: string): string {
  if (typeof name !== 'string' || !IDENTIFIER.test(name)) {
    throw new PersistenceError(
      'INVALID_IDENTIFIER',
      `${what} must be a lower-case SQL identifier matching ${String(IDENTIFIER)}, got ${JSON.stringify(name)}`,
      { fieldViolations: [{ field: what, description: 'not a lower-case SQL identifier' }] },
    );
  }
  return `"${name}"`;
}

/**
 * A string as a standard SQL literal (`'it''s'`). For values that are already
 * validated (identifiers, tenant ids) and must travel in a script without
 * parameters; refuses NUL, which Postgres text cannot hold.
 */
export function quoteLiteral(value: string): string {
  if (value.includes('\u0000')) {
    throw new PersistenceError('INVALID_IDENTIFIER', 'value contains a NUL character');
  }
  return `'${value.replace(/'/g, "''")}'`;
}
