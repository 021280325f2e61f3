import { createHash } from 'node:crypto';

/**
 * One versioned migration: `V<version>__<name>.sql` on disk, or built in code.
 * Versions of a set run 1, 2, 3, ... without gaps.
 */
export interface Migration {
  readonly version: number;
  /** `snake_case` name; its description in `schema_history` has spaces for underscores. */
  readonly name: string;
  readonly sql: string;
  /** File name recorded in `schema_history`. Default: `V<version>__<name>.sql`. */
  readonly script?: string;
}

/** File names migrations must have: `V1__create_orders.sql`. */
export const MIGRATION_FILE_PATTERN = /^V([1-9][0-9]*)__([A-Za-z0-9_]+)\.sql$/;

/** The script name recorded for a migration. */
export function scriptOf(migration: Migration): string {
  return migration.script ?? `V${migration.version}__${migration.name}.sql`;
}

/**
 * sha256 (hex) of a migration's SQL. Line endings and a leading BOM are
 * normalised first, so a checkout with CRLF line endings does not count as an edit.
 */
export function migrationChecksum(sql: string): string {
  const normalised = sql.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  return createHash('sha256').update(normalised, 'utf8').digest('hex');
}
