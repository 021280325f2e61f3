import { fileURLToPath } from 'node:url';
import { ensureRelayRole, eventHistoryMigration, eventTablesMigration } from '@ameide/events';
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
 * connection). Creates the app and relay roles and the platform schema (with
 * `ameide.enable_tenant_rls`) first: the migrations use them.
 *
 * V1 the artifact store; V2 the events kit's log (`transformation.outbox`),
 * V3 its history columns and never-pruned guard; V4 moves the events of V1's
 * `transformation.events` into it. The next file is `V5__...`.
 */
export async function migrateTransformation(db: Database): Promise<MigrateResult> {
  await ensureAppRole(db);
  await ensureRelayRole(db);
  await migratePlatform(db);
  return migrate(db, {
    schema: TRANSFORMATION_SCHEMA,
    migrations: [
      ...(await loadMigrations(migrationsDir, TRANSFORMATION_SCHEMA)),
      eventTablesMigration(TRANSFORMATION_SCHEMA, 2),
      eventHistoryMigration(TRANSFORMATION_SCHEMA, 3),
    ],
  });
}
