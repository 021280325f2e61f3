/** Tenant ids: letters, digits, `.`, `_`, `-`; 1–63 chars; starts alphanumeric. */
export const TENANT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** Tenant ids of agent sandbox runs' throwaway tenants start with this; no real tenant may. */
export const SANDBOX_TENANT_PREFIX = 'sandbox-';
