import type { Database } from '../database/database.js';
import type { Migration } from '../migrations/migration.js';
import { migrate, type MigrateResult } from '../migrations/migrate.js';
import { quoteIdentifier } from '../sql-identifier.js';
import { DEFAULT_APP_ROLE } from './app-role.js';
import { TENANT_SETTING } from './tenant-context.js';

/** Schema of the platform's own SQL (the tenant RLS function). */
export const PLATFORM_SCHEMA = 'ameide';

// `nullif(.., '')`: once set in a session, the setting reads '' (not NULL)
// after the transaction ends, and '' must match no row.
const tenantMatches = `tenant_id = nullif(current_setting('${TENANT_SETTING}', true), '')`;

/**
 * The platform's migrations, applied by {@link migratePlatform} into schema
 * {@link PLATFORM_SCHEMA}. V1 creates `ameide.enable_tenant_rls(table, role)`,
 * the one implementation of "make this a tenant table" that `.sql` migrations
 * call directly and {@link tenantTableSql} emits a call to.
 */
export const platformMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'enable_tenant_rls',
    sql: `
CREATE FUNCTION ${PLATFORM_SCHEMA}.enable_tenant_rls(target regclass, app_role name DEFAULT '${DEFAULT_APP_ROLE}')
RETURNS void
LANGUAGE plpgsql
-- SECURITY INVOKER (the default): it runs with the rights of the migration
-- role, which owns the table; it grants nothing the caller could not.
AS $fn$
DECLARE
  tenant_col pg_attribute;
  seq regclass;
BEGIN
  SELECT * INTO tenant_col FROM pg_attribute
   WHERE attrelid = target AND attname = 'tenant_id' AND NOT attisdropped;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'tenant table % has no tenant_id column', target USING ERRCODE = 'undefined_column';
  END IF;
  IF tenant_col.atttypid <> 'text'::regtype OR NOT tenant_col.attnotnull THEN
    RAISE EXCEPTION 'tenant_id of tenant table % must be text NOT NULL, is %', target,
      format_type(tenant_col.atttypid, tenant_col.atttypmod)
        || CASE WHEN tenant_col.attnotnull THEN ' NOT NULL' ELSE ' (nullable)' END
      USING ERRCODE = 'datatype_mismatch';
  END IF;
  -- An index leading with tenant_id (e.g. a (tenant_id, id) key) serves the policy already.
  IF NOT EXISTS (SELECT 1 FROM pg_index WHERE indrelid = target AND indkey[0] = tenant_col.attnum) THEN
    EXECUTE format('CREATE INDEX ON %s (tenant_id)', target);
  END IF;
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', target);
  -- Without FORCE the table owner would bypass the policy.
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', target);
  EXECUTE format('DROP POLICY IF EXISTS tenant_isolation ON %s', target);
  EXECUTE format('CREATE POLICY tenant_isolation ON %s FOR ALL TO %I USING (%s) WITH CHECK (%s)',
    target, app_role, $p$${tenantMatches}$p$, $p$${tenantMatches}$p$);
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I',
    (SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = target),
    app_role);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO %I', target, app_role);
  -- Sequences behind serial / identity columns.
  FOR seq IN
    SELECT d.objid::regclass FROM pg_depend d JOIN pg_class s ON s.oid = d.objid
     WHERE d.classid = 'pg_class'::regclass AND d.refobjid = target
       AND s.relkind = 'S' AND d.deptype IN ('a', 'i')
  LOOP
    EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %s TO %I', seq, app_role);
  END LOOP;
END
$fn$;

COMMENT ON FUNCTION ${PLATFORM_SCHEMA}.enable_tenant_rls(regclass, name) IS
  'Makes a table with tenant_id text NOT NULL a tenant table: index, ENABLE + FORCE RLS, tenant_isolation policy for the app role, grants.';
-- Every domain's owner role calls it from its migrations.
GRANT USAGE ON SCHEMA ${PLATFORM_SCHEMA} TO PUBLIC;
`,
  },
];

/**
 * Applies {@link platformMigrations}. Run it with the owner connection after
 * `ensureAppRole` and before the migrations of any schema with tenant tables.
 */
export function migratePlatform(db: Database): Promise<MigrateResult> {
  return migrate(db, { schema: PLATFORM_SCHEMA, migrations: platformMigrations });
}

/** Which table {@link tenantTableSql} makes a tenant table, for which role. */
export interface TenantTableOptions {
  readonly schema: string;
  readonly table: string;
  /** Default {@link DEFAULT_APP_ROLE}. */
  readonly role?: string;
}

/**
 * SQL for a migration that turns an existing table (with `tenant_id text NOT
 * NULL`) into a tenant table: an index on `tenant_id` unless one leads with
 * it, `ENABLE` + `FORCE ROW LEVEL SECURITY`, a policy for the app role
 * `USING (tenant_id = current_setting('app.tenant_id'))` with the same `WITH
 * CHECK`, and SELECT/INSERT/UPDATE/DELETE plus sequence usage granted to it.
 *
 * It calls `ameide.enable_tenant_rls` (see {@link migratePlatform}); a `.sql`
 * migration writes the same call: `SELECT ameide.enable_tenant_rls('orders');`.
 */
export function tenantTableSql(options: TenantTableOptions): string {
  const table = `${quoteIdentifier(options.schema, 'schema')}.${quoteIdentifier(options.table, 'table')}`;
  const role = options.role ?? DEFAULT_APP_ROLE;
  quoteIdentifier(role, 'role');
  return `SELECT ${PLATFORM_SCHEMA}.enable_tenant_rls('${table}', '${role}');\n`;
}
