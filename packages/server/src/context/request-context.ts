import { createContextKey, type HandlerContext } from '@connectrpc/connect';
import { AmeideError, ErrorCode } from '@ameide/errors';

/**
 * Who is calling, for which tenant, in which trace. Derived by the host from the
 * verified token, never from the request body.
 */
export interface RequestContext {
  readonly tenantId: string;
  readonly orgId: string;
  readonly userId: string;
  readonly groups: readonly string[];
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
    throw new AmeideError(ErrorCode.Unauthenticated, 'no request context: call not authenticated', {
      reason: 'CONTEXT_MISSING',
    });
  }
  return rc;
}
