import {
  assertRoleCannotBypassRls,
  DEFAULT_APP_ROLE,
  type AppliedMigration,
  type Database,
  type MigrateResult,
} from '@ameide/persistence';
import { migrateAgents } from '@ameide/agent-runtime';
import { migrateProcessEvents } from '@ameide/process-runtime';
import { migrateSales } from '@ameide/sales';
import { migrateTransformation } from '@ameide/transformation';

/** The primitives that own a schema, in the order they migrate. */
export type SchemaOwner = 'transformation' | 'agents' | 'process' | 'sales';

const migrations: Record<SchemaOwner, (db: Database) => Promise<MigrateResult>> = {
  transformation: migrateTransformation,
  // Agent run audit records and proposals.
  agents: migrateAgents,
  // The process runtime's event log (instance lifecycle events).
  process: migrateProcessEvents,
  sales: migrateSales,
};

/**
 * Applies the migrations of `owners` and refuses to go on when the app role
 * could bypass row level security. Returns the versions applied.
 */
export async function migratePrimitives(
  db: Database,
  owners: readonly SchemaOwner[],
): Promise<AppliedMigration[]> {
  const applied: AppliedMigration[] = [];
  for (const owner of owners) applied.push(...(await migrations[owner](db)).applied);
  await assertRoleCannotBypassRls(db, DEFAULT_APP_ROLE);
  return applied;
}
