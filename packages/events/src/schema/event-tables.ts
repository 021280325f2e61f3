import {
  DEFAULT_APP_ROLE,
  quoteIdentifier,
  TENANT_SETTING,
  type Migration,
} from '@ameide/persistence';
import { RELAY_ROLE } from './relay-role.js';

/** Roles the event tables grant to. */
export interface EventTablesOptions {
  readonly appRole?: string;
  readonly relayRole?: string;
}

/**
 * The migration that gives a domain schema its event tables:
 *
 * - `outbox`: the domain's event log. Position = (`transaction_id` xid8, `seq`)
 *   (ARCHITECTURE.md, "Outbox ordering"). A tenant table for the app role (insert only: no update,
 *   no delete); the relay role may SELECT every tenant's rows (policy `TO` it).
 * - `relay_progress`, `consumer_progress`: positions of relays and of Postgres
 *   transport cursors. Platform metadata without tenant data; relay role only.
 * - `inbox` (`(consumer, event_id)`) and `consumer_aggregates` (last version per
 *   aggregate and what blocks it): written in the same tenant transaction as
 *   a consumer's effect.
 * - `dead_letters`: events a consumer gave up on, parked behind them, or could
 *   not attribute to a tenant. Tenants see their own; the relay role sees all.
 *
 * Add it to the domain's migration set: `[...fileMigrations, eventTablesMigration('sales', 2)]`.
 */
export function eventTablesMigration(
  schema: string,
  version: number,
  options: EventTablesOptions = {},
): Migration {
  const s = quoteIdentifier(schema, 'schema');
  const app = quoteIdentifier(options.appRole ?? DEFAULT_APP_ROLE, 'appRole');
  const relay = quoteIdentifier(options.relayRole ?? RELAY_ROLE, 'relayRole');
  const tenantMatches = `tenant_id = nullif(current_setting('${TENANT_SETTING}', true), '')`;
  return {
    version,
    name: 'event_tables',
    sql: `
CREATE TABLE ${s}.outbox (
  seq               bigint GENERATED ALWAYS AS IDENTITY,
  transaction_id    xid8   NOT NULL DEFAULT pg_current_xact_id(),
  event_id          uuid   NOT NULL PRIMARY KEY,
  tenant_id         text   NOT NULL,
  aggregate_type    text   NOT NULL,
  aggregate_id      text   NOT NULL,
  aggregate_version bigint NOT NULL CHECK (aggregate_version > 0),
  type              text   NOT NULL,
  schema_version    int    NOT NULL,
  payload           jsonb  NOT NULL,
  correlation_id    text   NOT NULL,
  causation_id      text,
  occurred_at       timestamptz NOT NULL,
  UNIQUE (tenant_id, aggregate_type, aggregate_id, aggregate_version)
);
CREATE INDEX outbox_position ON ${s}.outbox (transaction_id, seq);
SELECT ameide.enable_tenant_rls('${schema}.outbox', '${options.appRole ?? DEFAULT_APP_ROLE}');
REVOKE UPDATE, DELETE ON ${s}.outbox FROM ${app};
GRANT USAGE ON SCHEMA ${s} TO ${relay};
GRANT SELECT ON ${s}.outbox TO ${relay};
CREATE POLICY relay_reads_all ON ${s}.outbox FOR SELECT TO ${relay} USING (true);

CREATE TABLE ${s}.relay_progress (
  relay           text PRIMARY KEY,
  transaction_id  xid8   NOT NULL,
  seq             bigint NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE ${s}.consumer_progress (
  consumer        text PRIMARY KEY,
  transaction_id  xid8   NOT NULL,
  seq             bigint NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE ${s}.relay_progress ENABLE ROW LEVEL SECURITY;
ALTER TABLE ${s}.relay_progress FORCE ROW LEVEL SECURITY;
ALTER TABLE ${s}.consumer_progress ENABLE ROW LEVEL SECURITY;
ALTER TABLE ${s}.consumer_progress FORCE ROW LEVEL SECURITY;
CREATE POLICY relay_only ON ${s}.relay_progress FOR ALL TO ${relay} USING (true) WITH CHECK (true);
CREATE POLICY relay_only ON ${s}.consumer_progress FOR ALL TO ${relay} USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON ${s}.relay_progress, ${s}.consumer_progress TO ${relay};

CREATE TABLE ${s}.inbox (
  tenant_id     text NOT NULL,
  consumer      text NOT NULL,
  event_id      uuid NOT NULL,
  handled_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_id)
);
SELECT ameide.enable_tenant_rls('${schema}.inbox', '${options.appRole ?? DEFAULT_APP_ROLE}');
REVOKE UPDATE, DELETE ON ${s}.inbox FROM ${app};

CREATE TABLE ${s}.consumer_aggregates (
  tenant_id       text   NOT NULL,
  consumer        text   NOT NULL,
  aggregate_type  text   NOT NULL,
  aggregate_id    text   NOT NULL,
  last_version    bigint NOT NULL,
  -- Open dead letters of this aggregate: later events park behind them.
  blocked         int    NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, consumer, aggregate_type, aggregate_id)
);
SELECT ameide.enable_tenant_rls('${schema}.consumer_aggregates', '${options.appRole ?? DEFAULT_APP_ROLE}');
REVOKE DELETE ON ${s}.consumer_aggregates FROM ${app};

CREATE TABLE ${s}.dead_letters (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  consumer          text   NOT NULL,
  -- NULL when the event's tenant is missing or malformed (never processed).
  tenant_id         text,
  event_id          text,
  aggregate_type    text,
  aggregate_id      text,
  aggregate_version bigint,
  type              text,
  -- The envelope as received (proto binary), replayed as is.
  envelope          bytea  NOT NULL,
  -- failed: the handler failed N times; parked: an earlier event of the
  -- aggregate is dead-lettered; rejected: tenant or envelope unusable.
  reason            text   NOT NULL CHECK (reason IN ('failed', 'parked', 'rejected')),
  error             text   NOT NULL,
  attempts          int    NOT NULL,
  -- replay: requested (e.g. by ameide events dead-letters replay); the
  -- running consumer replays it in aggregate order and marks it replayed.
  status            text   NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'replay', 'replayed')),
  created_at        timestamptz NOT NULL DEFAULT now(),
  resolved_at       timestamptz
);
CREATE INDEX dead_letters_open ON ${s}.dead_letters (consumer, status, tenant_id, aggregate_type, aggregate_id, aggregate_version);
ALTER TABLE ${s}.dead_letters ENABLE ROW LEVEL SECURITY;
ALTER TABLE ${s}.dead_letters FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ${s}.dead_letters FOR ALL TO ${app}
  USING (${tenantMatches}) WITH CHECK (${tenantMatches});
CREATE POLICY relay_all ON ${s}.dead_letters FOR ALL TO ${relay} USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON ${s}.dead_letters TO ${app}, ${relay};
GRANT USAGE ON SEQUENCE ${s}.dead_letters_id_seq TO ${app}, ${relay};
`,
  };
}
