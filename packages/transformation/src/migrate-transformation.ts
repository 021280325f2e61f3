import { fileURLToPath } from 'node:url';
import {
  ensureAppRole,
  loadMigrations,
  migrate,
  migratePlatform,
  type Database,
  type MigrateResult,
} from '@ameide/persistence';

/** Schema the Transformation Domain owns. */
export const TRANSFORMATION_SCHEMA = 'transformation';

const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * Applies the Transformation Domain's migrations (run with the owner/admin
 * connection). Creates the app role and the platform schema (with
 * `ameide.enable_tenant_rls`) first: the migrations use both.
 */
export async function migrateTransformation(db: Database): Promise<MigrateResult> {
  await ensureAppRole(db);
  await migratePlatform(db);
  return migrate(db, {
    schema: TRANSFORMATION_SCHEMA,
    migrations: await loadMigrations(migrationsDir, TRANSFORMATION_SCHEMA),
  });
}
