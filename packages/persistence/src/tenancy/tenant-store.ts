import type { Database, Transaction } from '../database/database.js';
import { DEFAULT_APP_ROLE } from './app-role.js';
import { assertRoleCannotBypassRls } from './assert-role-cannot-bypass-rls.js';
import type { TenantContext } from './tenant-context.js';
import { withTenant } from './with-tenant.js';

/** Options of {@link createTenantStore}. */
export interface TenantStoreOptions {
  /** Default {@link DEFAULT_APP_ROLE}. */
  readonly appRole?: string;
}

/** Tenant-scoped access to a database whose app role was checked at startup. */
export interface TenantStore {
  readonly db: Database;
  readonly appRole: string;
  /** {@link withTenant} with this store's role. */
  withTenant<R>(context: TenantContext, fn: (tx: Transaction) => Promise<R>): Promise<R>;
}

/**
 * The startup entry point for services: checks that the app role cannot bypass
 * RLS (failing startup otherwise) and returns a store whose `withTenant` runs
 * every unit of work under that role and tenant.
 *
 * @throws PersistenceError `ROLE_CAN_BYPASS_RLS` or `ROLE_NOT_FOUND`.
 */
export async function createTenantStore(
  db: Database,
  options: TenantStoreOptions = {},
): Promise<TenantStore> {
  const appRole = options.appRole ?? DEFAULT_APP_ROLE;
  await assertRoleCannotBypassRls(db, appRole);
  return {
    db,
    appRole,
    withTenant: (context, fn) => withTenant(db, context, fn, { appRole }),
  };
}
