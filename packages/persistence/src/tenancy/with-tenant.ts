import type { Database, Transaction } from '../database/database.js';
import { quoteIdentifier, quoteLiteral } from '../sql-identifier.js';
import { DEFAULT_APP_ROLE } from './app-role.js';
import { assertValidTenantId, TENANT_SETTING, type TenantContext } from './tenant-context.js';

/** Options of {@link withTenant}. */
export interface WithTenantOptions {
  /** Role to run as. Default {@link DEFAULT_APP_ROLE}. */
  readonly appRole?: string;
}

/**
 * Runs `fn` in one transaction as the app role with the tenant set (in the tenant's
 * dedicated database when `db` routes it to one: {@link Database.forTenant}), so the RLS
 * policies of tenant tables show and accept only that tenant's rows. Commits
 * when `fn` resolves, rolls back when it throws.
 *
 * Both the role (`SET LOCAL ROLE`) and the tenant (`SET LOCAL app.tenant_id`) are
 * transaction-local: when the transaction ends the pooled connection is back to
 * its login role with no tenant. `fn` must not change them (`RESET ROLE`).
 *
 * @throws PersistenceError `INVALID_TENANT_ID` before touching the database.
 */
export async function withTenant<R>(
  db: Database,
  context: TenantContext,
  fn: (tx: Transaction) => Promise<R>,
  options: WithTenantOptions = {},
): Promise<R> {
  const { tenantId } = context;
  assertValidTenantId(tenantId);
  const role = quoteIdentifier(options.appRole ?? DEFAULT_APP_ROLE, 'appRole');
  // Both values are validated (identifier, tenant id pattern) and quoted, so
  // the set-up can travel with BEGIN in one round trip instead of three. SET
  // answers with no rows, which is cheaper for both sides than a SELECT of
  // set_config(..., true) (the same transaction-local settings).
  // A tenant with a database of its own has its rows there (createTenantRoutedDatabase).
  const target = db.forTenant?.(tenantId) ?? db;
  return target.transaction(fn, {
    begin: `SET LOCAL ROLE ${role}; SET LOCAL ${TENANT_SETTING} = ${quoteLiteral(tenantId)}`,
  });
}
