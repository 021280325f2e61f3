import type { Interceptor } from '@connectrpc/connect';
import { TENANT_ID_PATTERN } from '@ameide/context';
import { AmeideError, ErrorCode, toConnectError } from '@ameide/errors';
import { callScope } from '../context/call-scope.js';
import { requestContextKey, type RequestContext } from '../context/request-context.js';
import { claimsKey } from './authentication.js';

// The tenant id rules live in @ameide/context beside the RequestContext they
// constrain; the host re-exports them for its users.
export { SANDBOX_TENANT_PREFIX, TENANT_ID_PATTERN } from '@ameide/context';

/**
 * Builds the RequestContext from the verified claims (`tenantId`, `orgId`,
 * `sub`, `groups`). A token without a valid tenant is refused with
 * `permission_denied`: the caller is known but may not act on any tenant.
 */
export function createRequestContextInterceptor(): Interceptor {
  return (next) => async (req) => {
    const claims = req.contextValues.get(claimsKey);
    if (!claims)
      throw refuse(ErrorCode.Unauthenticated, 'CONTEXT_MISSING', 'call not authenticated');
    const tenantId = claims.tenantId;
    if (typeof tenantId !== 'string' || tenantId === '') {
      throw refuse(
        ErrorCode.PermissionDenied,
        'TENANT_MISSING',
        'token carries no tenant (claim "tenantId")',
      );
    }
    if (!TENANT_ID_PATTERN.test(tenantId)) {
      throw refuse(
        ErrorCode.PermissionDenied,
        'TENANT_INVALID',
        'token tenant id is not a valid tenant id',
      );
    }
    const groups = Array.isArray(claims.groups)
      ? claims.groups.filter((g): g is string => typeof g === 'string')
      : [];
    const scope = callScope.getStore();
    const rc: RequestContext = {
      tenantId,
      orgId: typeof claims.orgId === 'string' ? claims.orgId : '',
      // The verifier types `sub` as a string, but a token may carry anything there.
      userId: typeof claims.sub === 'string' ? claims.sub : '',
      groups,
      traceId: scope?.traceId ?? '',
    };
    if (scope) scope.tenantId = tenantId;
    req.contextValues.set(requestContextKey, rc);
    return next(req);
  };
}

function refuse(code: ErrorCode, reason: string, message: string) {
  return toConnectError(new AmeideError(code, message, { reason, domain: 'ameide.auth' }));
}
