import { Code, ConnectError, createContextKey, type HandlerContext } from '@connectrpc/connect';

/**
 * Who acts, for which tenant: the identity every command, query and process
 * instance carries. Converted once at the edge (the host's request-context
 * interceptor) from the verified token; never taken from a request body.
 */
export interface Actor {
  readonly tenantId: string;
  /** Organisation within the tenant; empty when the token carries none. */
  readonly orgId: string;
  /** The acting user (`sub`). */
  readonly userId: string;
  readonly groups: readonly string[];
}

/** The {@link Actor} of a call, and the trace it belongs to. */
export interface RequestContext extends Actor {
  readonly traceId: string;
}

/** Context-value key the host stores the RequestContext under. */
export const requestContextKey = createContextKey<RequestContext | undefined>(undefined, {
  description: 'ameide request context',
});

/**
 * The RequestContext of the current call. Throws `unauthenticated` when the
 * call did not pass through the host's authentication (a wiring bug, never a
 * user error, but refused rather than served tenant-less).
 */
export function getRequestContext(ctx: Pick<HandlerContext, 'values'>): RequestContext {
  const rc = ctx.values.get(requestContextKey);
  if (!rc) {
    throw new ConnectError('no request context: call not authenticated', Code.Unauthenticated);
  }
  return rc;
}

/** The {@link Actor} of the current call (its RequestContext without the trace). */
export function getActor(ctx: Pick<HandlerContext, 'values'>): Actor {
  const { tenantId, orgId, userId, groups } = getRequestContext(ctx);
  return { tenantId, orgId, userId, groups };
}
