import { PersistenceError } from '../persistence-error.js';

/** Who a unit of work runs for. Every request carries one (invariant 2). */
export interface TenantContext {
  readonly tenantId: string;
}

/** The transaction-local setting the RLS policies compare `tenant_id` with. */
export const TENANT_SETTING = 'app.tenant_id';

/** Longest tenant id accepted. */
export const MAX_TENANT_ID_LENGTH = 128;

const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Checks a tenant id: 1 to 128 characters of `[A-Za-z0-9._-]`, starting with a
 * letter or digit (UUIDs and slugs pass).
 *
 * @throws PersistenceError `INVALID_TENANT_ID` saying what is wrong.
 */
export function assertValidTenantId(tenantId: unknown): asserts tenantId is string {
  const problem =
    typeof tenantId !== 'string'
      ? `must be a string, got ${tenantId === null ? 'null' : typeof tenantId}`
      : tenantId.length === 0
        ? 'must not be empty'
        : tenantId.length > MAX_TENANT_ID_LENGTH
          ? `must be at most ${MAX_TENANT_ID_LENGTH} characters, got ${tenantId.length}`
          : !TENANT_ID.test(tenantId)
            ? `must match ${String(TENANT_ID)}, got ${JSON.stringify(tenantId)}`
            : undefined;
  if (problem !== undefined) {
    throw new PersistenceError('INVALID_TENANT_ID', `tenantId ${problem}`, {
      fieldViolations: [{ field: 'tenantId', description: problem }],
    });
  }
}
