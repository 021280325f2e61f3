import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MigrationError } from '../persistence-error.js';
import { MIGRATION_FILE_PATTERN, type Migration } from './migration.js';

/**
 * Reads the `V<n>__<name>.sql` files of `dir`, ordered by version. Other
 * `.sql` files are refused (a misnamed migration must not be skipped
 * silently); files not ending in `.sql` are ignored.
 *
 * @param schema - only used to give errors context.
 * @throws MigrationError `MIGRATION_INVALID` naming the misnamed file.
 */
export async function loadMigrations(dir: string, schema = ''): Promise<Migration[]> {
  const files = (await readdir(dir, { withFileTypes: true }))
    .filter((entry) => entry.isFile() && entry.name.endsWith('.sql'))
    .map((entry) => entry.name);
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = MIGRATION_FILE_PATTERN.exec(file);
    if (!match?.[1] || !match[2]) {
      throw new MigrationError(
        'MIGRATION_INVALID',
        `Migration file ${join(dir, file)} is not named V<version>__<name>.sql (e.g. V1__create_orders.sql)`,
        { schema, script: file },
      );
    }
    const sql = await readFile(join(dir, file), 'utf8');
    migrations.push({ version: Number(match[1]), name: match[2], sql, script: file });
  }
  return migrations.sort((a, b) => a.version - b.version);
}
