import { fileURLToPath } from 'node:url';
import {
  ensureAppRole,
  loadMigrations,
  migrate,
  migratePlatform,
  type Database,
  type MigrateResult,
} from '@ameide/persistence';

/** Schema the Agent primitive owns (run audit records, proposals). */
export const AGENTS_SCHEMA = 'agents';

const migrationsDir = fileURLToPath(new URL('../../migrations', import.meta.url));

/** Applies the agent tables' migrations (admin connection): `V1__agent_tables.sql`; next is `V2__...`. */
export async function migrateAgents(db: Database): Promise<MigrateResult> {
  await ensureAppRole(db);
  await migratePlatform(db);
  return migrate(db, {
    schema: AGENTS_SCHEMA,
    migrations: await loadMigrations(migrationsDir, AGENTS_SCHEMA),
  });
}
