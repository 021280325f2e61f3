// The RequestContext lives in @ameide/context (layer 1, no I/O) so handlers can
// read it without depending on the host; the host re-exports it for its users.
export { getActor, getRequestContext, requestContextKey } from '@ameide/context';
export type { Actor, RequestContext } from '@ameide/context';
