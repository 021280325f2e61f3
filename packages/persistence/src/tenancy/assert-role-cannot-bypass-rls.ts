import type { Queryable } from '../database/database.js';
import { PersistenceError } from '../persistence-error.js';
import { quoteIdentifier } from '../sql-identifier.js';

interface RoleRow {
  readonly rolsuper: boolean;
  readonly rolbypassrls: boolean;
  readonly escalations: string[];
  readonly owned_tables: string[];
}

/**
 * Refuses an app role that row-level security would not hold: a superuser, a
 * role with BYPASSRLS, a member of such a role (it could `SET ROLE` to it), or
 * the owner of tables in this database (owners can switch RLS off). Call it at
 * startup, before serving requests; `createTenantStore` and `ensureAppRole` do.
 *
 * @throws PersistenceError `ROLE_CAN_BYPASS_RLS` listing every reason, or
 * `ROLE_NOT_FOUND`.
 */
export async function assertRoleCannotBypassRls(db: Queryable, role: string): Promise<void> {
  quoteIdentifier(role, 'role');
  const { rows } = await db.query<RoleRow>(
    `SELECT r.rolsuper, r.rolbypassrls,
       ARRAY(SELECT b.rolname::text FROM pg_roles b
             WHERE b.oid <> r.oid AND (b.rolsuper OR b.rolbypassrls)
               AND pg_has_role(r.oid, b.oid, 'MEMBER')
             ORDER BY 1) AS escalations,
       ARRAY(SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relowner = r.oid AND c.relkind IN ('r', 'p')
               AND n.nspname NOT IN ('pg_catalog', 'information_schema')
             ORDER BY 1) AS owned_tables
     FROM pg_roles r WHERE r.rolname = $1`,
    [role],
  );
  const row = rows[0];
  if (!row) {
    throw new PersistenceError(
      'ROLE_NOT_FOUND',
      `App role ${role} does not exist; create it with ensureAppRole() from the owner connection`,
      { metadata: { role } },
    );
  }
  const reasons: string[] = [];
  if (row.rolsuper) reasons.push('it is a superuser');
  if (row.rolbypassrls) reasons.push('it has BYPASSRLS');
  if (row.escalations.length > 0) {
    reasons.push(`it is a member of ${row.escalations.join(', ')}, which can bypass RLS`);
  }
  if (row.owned_tables.length > 0) {
    reasons.push(`it owns ${row.owned_tables.join(', ')} (owners can disable RLS)`);
  }
  if (reasons.length > 0) {
    throw new PersistenceError(
      'ROLE_CAN_BYPASS_RLS',
      `App role ${role} can bypass row-level security: ${reasons.join('; ')}. ` +
        'Tenant isolation relies on RLS: use a NOSUPERUSER NOBYPASSRLS role that owns no tables.',
      { metadata: { role, reasons: reasons.join('; ') } },
    );
  }
}
