import { migrate, type Database, type MigrateResult } from '@ameide/persistence';

/** The schema of the tenant registry. */
export const TENANCY_SCHEMA = 'tenancy';

/**
 * The tenant registry: one row per tenant with where it lives (identity issuer, Temporal
 * namespace, database) and its lifecycle, and one row per provisioning step done, so a
 * re-run skips them. Platform data, read by the service host for every call (the tenant
 * directory), so it has no tenant RLS; only the platform's own connection (the schema
 * owner) reads and writes it, never `ameide_app`.
 */
const V1 = `
CREATE TABLE ${TENANCY_SCHEMA}.tenants (
  tenant_id          text PRIMARY KEY,
  display_name       text NOT NULL,
  tier               text NOT NULL CHECK (tier IN ('smb', 'enterprise')),
  database_placement text NOT NULL CHECK (database_placement IN ('shared', 'dedicated')),
  status             text NOT NULL CHECK (status IN ('provisioning', 'active', 'failed', 'suspended', 'deleting', 'deleted')),
  issuer             text NOT NULL DEFAULT '',
  realm              text NOT NULL DEFAULT '',
  organization_id    text NOT NULL DEFAULT '',
  temporal_namespace text NOT NULL DEFAULT '',
  database_name      text NOT NULL DEFAULT '',
  failure            text NOT NULL DEFAULT '',
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  suspended_at       timestamptz,
  deleted_at         timestamptz
);
CREATE INDEX tenants_issuer ON ${TENANCY_SCHEMA}.tenants (issuer);
CREATE TABLE ${TENANCY_SCHEMA}.provisioning_steps (
  tenant_id    text NOT NULL REFERENCES ${TENANCY_SCHEMA}.tenants (tenant_id),
  step         text NOT NULL,
  detail       jsonb NOT NULL DEFAULT '{}',
  completed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, step)
);
`;

/** Creates or updates the tenant registry's tables. */
export function migrateTenancy(db: Database): Promise<MigrateResult> {
  return migrate(db, {
    schema: TENANCY_SCHEMA,
    migrations: [{ version: 1, name: 'tenant_registry', sql: V1 }],
  });
}
