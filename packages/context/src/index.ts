export { getActor, getRequestContext, requestContextKey } from './request-context.js';
export type { Actor, RequestContext } from './request-context.js';
export { SANDBOX_TENANT_PREFIX, TENANT_ID_PATTERN } from './tenant-id.js';
