import { DEFAULT_APP_ROLE, quoteIdentifier, type Migration } from '@ameide/persistence';
import { RELAY_ROLE } from '../schema/relay-role.js';

/** Roles the idempotency table grants to. */
export interface IdempotencyTablesOptions {
  readonly appRole?: string;
  readonly relayRole?: string;
}

/**
 * The migration that gives a domain schema its `idempotency_keys` table:
 * `(tenant_id, key) → fingerprint of the request + the reply`, written by the
 * unit of work in the same tenant transaction as the command's state change and
 * outbox rows. A tenant table for the app role (RLS; no delete: expired keys are
 * overwritten in place); the relay role prunes expired keys across tenants.
 *
 * Add it to the domain's migration set after the event tables:
 * `[...files, eventTablesMigration('sales', 2), idempotencyTablesMigration('sales', 3)]`.
 */
export function idempotencyTablesMigration(
  schema: string,
  version: number,
  options: IdempotencyTablesOptions = {},
): Migration {
  const s = quoteIdentifier(schema, 'schema');
  const appRole = options.appRole ?? DEFAULT_APP_ROLE;
  const app = quoteIdentifier(appRole, 'appRole');
  const relay = quoteIdentifier(options.relayRole ?? RELAY_ROLE, 'relayRole');
  return {
    version,
    name: 'idempotency_keys',
    sql: `
CREATE TABLE ${s}.idempotency_keys (
  tenant_id    text        NOT NULL,
  key          text        NOT NULL,
  -- sha-256 of the command name and the request, hex
  fingerprint  text        NOT NULL,
  -- what the command answered; NULL only inside the claiming transaction
  reply        jsonb,
  created_at   timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, key)
);
CREATE INDEX idempotency_keys_created ON ${s}.idempotency_keys (created_at);
SELECT ameide.enable_tenant_rls('${schema}.idempotency_keys', '${appRole}');
REVOKE DELETE ON ${s}.idempotency_keys FROM ${app};
GRANT USAGE ON SCHEMA ${s} TO ${relay};
GRANT SELECT, DELETE ON ${s}.idempotency_keys TO ${relay};
CREATE POLICY relay_prunes ON ${s}.idempotency_keys FOR ALL TO ${relay} USING (true);
`,
  };
}
