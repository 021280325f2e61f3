import type { Database } from '../database/database.js';

/**
 * `shared`, with `withTenant` sent to the database `route` names for a tenant (a tenant with a
 * dedicated database), and to `shared` for every other tenant. Everything else (migrations,
 * cross-tenant readers such as relays) runs on `shared`. `route` is called on every
 * `withTenant`, so it must answer from memory.
 */
export function createTenantRoutedDatabase(
  shared: Database,
  route: (tenantId: string) => Database | undefined,
): Database {
  return {
    kind: shared.kind,
    forTenant: route,
    query: (sql, params) => shared.query(sql, params),
    exec: (sql) => shared.exec(sql),
    transaction: (fn, options) => shared.transaction(fn, options),
    listen: (channel, fn) => shared.listen(channel, fn),
    close: () => shared.close(),
  };
}
