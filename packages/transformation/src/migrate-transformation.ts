import { fileURLToPath } from 'node:url';
import { ensureAppRole, loadMigrations, migrate, type Database, type MigrateResult } from '@ameide/persistence';

/** Schema the Transformation Domain owns. */
export const TRANSFORMATION_SCHEMA = 'transformation';

const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * Applies the Transformation Domain's migrations (run with the owner/admin
 * connection). Creates the app role first: the migrations grant to it.
 */
export async function migrateTransformation(db: Database): Promise<MigrateResult> {
  await ensureAppRole(db);
  return migrate(db, { schema: TRANSFORMATION_SCHEMA, migrations: await loadMigrations(migrationsDir, TRANSFORMATION_SCHEMA) });
}
