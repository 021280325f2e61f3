import { fileURLToPath } from 'node:url';
import {
  ensureAppRole,
  loadMigrations,
  migrate,
  migratePlatform,
  type Database,
  type MigrateResult,
} from '@ameide/persistence';
import { ensureRelayRole, eventTablesMigration, idempotencyTablesMigration } from '@ameide/events';

/** Schema the ${{ values.name }} domain owns (also the first part of its event types). */
export const SCHEMA = '${{ values.name }}';

const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * Applies the domain's migrations with the owner/admin connection: the app and relay roles,
 * the platform schema, `V1__${{ values.name }}_tables.sql`, then the event tables (V2) and the
 * idempotency keys (V3) of `@ameide/events`.
 */
export async function migrateDomain(db: Database): Promise<MigrateResult> {
  await ensureAppRole(db);
  await ensureRelayRole(db);
  await migratePlatform(db);
  const files = await loadMigrations(migrationsDir, SCHEMA);
  return migrate(db, {
    schema: SCHEMA,
    migrations: [...files, eventTablesMigration(SCHEMA, 2), idempotencyTablesMigration(SCHEMA, 3)],
  });
}
