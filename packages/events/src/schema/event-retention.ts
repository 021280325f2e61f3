import { DEFAULT_APP_ROLE, quoteIdentifier, type Migration } from '@ameide/persistence';
import type { EventTablesOptions } from './event-tables.js';
import { RELAY_ROLE } from './relay-role.js';

/**
 * The migration that lets the relay role prune a domain schema's event tables
 * (`pruneEventTables`, `startRetention`). Add it after
 * `eventTablesMigration`, whose checksum it leaves alone:
 * `[...files, eventTablesMigration('sales', 2), ..., eventRetentionMigration('sales', 4)]`.
 *
 * - `outbox.recorded_at`: when the row was written (the writing transaction's
 *   `now()`, on the database clock); the outbox's age for retention. Rows that
 *   exist when the migration runs get the migration's time.
 * - `DELETE` on `outbox` and `inbox` for the relay role only, with policies
 *   `TO` it (pruning is cross-tenant). The app role still may not delete
 *   either table's rows.
 * - `inbox (handled_at)` index, so pruning the inbox is a range scan.
 * - `outbox_pruned`: per tenant, the last outbox position pruned. A tenant
 *   table: `TailEvents` reads it under RLS to tell a caller whose
 *   `after_position` fell out of the retained window, without learning about
 *   other tenants' events. Written by the relay role only.
 */
export function eventRetentionMigration(
  schema: string,
  version: number,
  options: EventTablesOptions = {},
): Migration {
  const s = quoteIdentifier(schema, 'schema');
  const appRole = options.appRole ?? DEFAULT_APP_ROLE;
  const app = quoteIdentifier(appRole, 'appRole');
  const relay = quoteIdentifier(options.relayRole ?? RELAY_ROLE, 'relayRole');
  return {
    version,
    name: 'event_retention',
    sql: `
-- A constant default (now() is stable): no table rewrite.
ALTER TABLE ${s}.outbox ADD COLUMN recorded_at timestamptz NOT NULL DEFAULT now();
GRANT DELETE ON ${s}.outbox TO ${relay};
CREATE POLICY relay_prunes ON ${s}.outbox FOR DELETE TO ${relay} USING (true);

CREATE INDEX inbox_handled_at ON ${s}.inbox (handled_at);
GRANT SELECT, DELETE ON ${s}.inbox TO ${relay};
CREATE POLICY relay_reads_all ON ${s}.inbox FOR SELECT TO ${relay} USING (true);
CREATE POLICY relay_prunes ON ${s}.inbox FOR DELETE TO ${relay} USING (true);

CREATE TABLE ${s}.outbox_pruned (
  tenant_id       text   NOT NULL PRIMARY KEY,
  transaction_id  xid8   NOT NULL,
  seq             bigint NOT NULL,
  pruned_at       timestamptz NOT NULL DEFAULT now()
);
SELECT ameide.enable_tenant_rls('${schema}.outbox_pruned', '${appRole}');
REVOKE INSERT, UPDATE, DELETE ON ${s}.outbox_pruned FROM ${app};
GRANT SELECT, INSERT, UPDATE ON ${s}.outbox_pruned TO ${relay};
CREATE POLICY relay_all ON ${s}.outbox_pruned FOR ALL TO ${relay} USING (true) WITH CHECK (true);
`,
  };
}
