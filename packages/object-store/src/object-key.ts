import { assertObjectHash, assertObjectTenantId } from './object-checks.js';

/**
 * The key prefix of one tenant's objects: `tenants/<tenantId>/sha256/`. The tenant id is
 * checked first, so no id can reach outside its own prefix.
 *
 * @throws ObjectStoreError `INVALID_TENANT_ID`.
 */
export function tenantPrefix(tenantId: string): string {
  assertObjectTenantId(tenantId);
  return `tenants/${tenantId}/sha256/`;
}

/**
 * The key of a tenant's object: `tenants/<tenantId>/sha256/<hash>`.
 *
 * @throws ObjectStoreError `INVALID_TENANT_ID` or `INVALID_HASH`.
 */
export function objectKey(tenantId: string, hash: string): string {
  const prefix = tenantPrefix(tenantId);
  assertObjectHash(hash);
  return `${prefix}${hash}`;
}
