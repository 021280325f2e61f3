import { fileURLToPath } from 'node:url';
import {
  ensureAppRole,
  loadMigrations,
  migrate,
  migratePlatform,
  type Database,
  type MigrateResult,
} from '@ameide/persistence';

/** Schema of the database object store. */
export const OBJECT_STORE_SCHEMA = 'object_store';

const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * Applies the database object store's migrations (run with the owner/admin connection).
 * Creates the app role and the platform schema (with `ameide.enable_tenant_rls`) first: the
 * migrations use both.
 */
export async function migrateObjectStore(db: Database): Promise<MigrateResult> {
  await ensureAppRole(db);
  await migratePlatform(db);
  return migrate(db, {
    schema: OBJECT_STORE_SCHEMA,
    migrations: await loadMigrations(migrationsDir, OBJECT_STORE_SCHEMA),
  });
}
