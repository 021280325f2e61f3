import { quoteIdentifier, TENANT_SETTING, type Queryable } from '@ameide/persistence';
import type { LogPosition } from '../outbox/position.js';

/** True when `<schema>` has the retention tables (`eventRetentionMigration`). */
export async function hasRetentionTables(q: Queryable, schema: string): Promise<boolean> {
  const { rows } = await q.query<{ ok: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS ok`, [
    `${quoteIdentifier(schema, 'schema')}.outbox_pruned`,
  ]);
  return rows[0]?.ok === true;
}

/**
 * The last position of the current tenant's events that retention deleted
 * from `<schema>.outbox` (run in the tenant's transaction: RLS shows its own
 * mark only), or undefined when none was. Pruning deletes a prefix of the
 * log, so every event of the tenant after this position is still there.
 */
export async function readPrunedThrough(
  q: Queryable,
  schema: string,
): Promise<LogPosition | undefined> {
  const { rows } = await q.query<{ tx: string; seq: bigint }>(
    `SELECT transaction_id::text AS tx, seq FROM ${quoteIdentifier(schema, 'schema')}.outbox_pruned
      WHERE tenant_id = nullif(current_setting('${TENANT_SETTING}', true), '')`,
  );
  const row = rows[0];
  return row ? { transactionId: BigInt(row.tx), seq: BigInt(row.seq) } : undefined;
}
