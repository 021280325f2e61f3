import { fileURLToPath } from 'node:url';
import {
  ensureAppRole,
  loadMigrations,
  migrate,
  migratePlatform,
  type Database,
  type MigrateResult,
} from '@ameide/persistence';
import {
  ensureRelayRole,
  eventRetentionMigration,
  eventTablesMigration,
  idempotencyTablesMigration,
} from '@ameide/events';

/** Schema the sales domain owns. */
export const SALES_SCHEMA = 'sales';

const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * Applies the sales domain's migrations (run with the owner/admin connection):
 * app and relay roles, the platform schema, then `V1__sales_tables.sql` and
 * the event tables (V2), the idempotency keys (V3) and the event retention
 * grants (V4), all from `@ameide/events`. The next file is `V5__...`.
 */
export async function migrateSales(db: Database): Promise<MigrateResult> {
  await ensureAppRole(db);
  await ensureRelayRole(db);
  await migratePlatform(db);
  const files = await loadMigrations(migrationsDir, SALES_SCHEMA);
  return migrate(db, {
    schema: SALES_SCHEMA,
    migrations: [
      ...files,
      eventTablesMigration(SALES_SCHEMA, 2),
      idempotencyTablesMigration(SALES_SCHEMA, 3),
      eventRetentionMigration(SALES_SCHEMA, 4),
    ],
  });
}
