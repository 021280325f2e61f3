export { getActor, getRequestContext, requestContextKey } from './request-context.js';
export type { Actor, RequestContext } from './request-context.js';
