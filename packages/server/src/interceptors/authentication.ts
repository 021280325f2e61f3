import { createContextKey, type Interceptor } from '@connectrpc/connect';
import { AmeideError, ErrorCode, toConnectError } from '@ameide/errors';
import type { TokenVerifier, VerifiedClaims } from '../auth/token-verifier.js';

/** Context-value key of the verified token claims of the call. */
export const claimsKey = createContextKey<VerifiedClaims | undefined>(undefined, {
  description: 'verified token claims',
});

/**
 * Whether calls must carry a token. `required` (the default) refuses calls
 * without one; `{ anonymousClaims }` gives such calls fixed claims instead and
 * still verifies every token that is sent. Only test harnesses that cannot send
 * tokens (the Connect conformance suite's reference client) use the latter.
 */
export type AuthenticationMode = 'required' | { readonly anonymousClaims: VerifiedClaims };

/**
 * Requires `Authorization: Bearer <jwt>` on every call and verifies it. A
 * missing, malformed or unverifiable token is refused with `unauthenticated`
 * before any handler code runs.
 */
export function createAuthenticationInterceptor(options: {
  verifier: TokenVerifier;
  mode?: AuthenticationMode;
}): Interceptor {
  const anonymous =
    options.mode === undefined || options.mode === 'required'
      ? undefined
      : options.mode.anonymousClaims;
  return (next) => async (req) => {
    const header = req.header.get('authorization');
    if (!header && anonymous) {
      req.contextValues.set(claimsKey, anonymous);
      return next(req);
    }
    if (!header)
      throw unauthenticated('TOKEN_MISSING', 'missing bearer token (Authorization header)');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1])
      throw unauthenticated('TOKEN_MALFORMED', 'Authorization header is not "Bearer <token>"');
    try {
      req.contextValues.set(claimsKey, await options.verifier.verify(match[1]));
    } catch (err) {
      throw toConnectError(err);
    }
    return next(req);
  };
}

function unauthenticated(reason: string, message: string) {
  return toConnectError(
    new AmeideError(ErrorCode.Unauthenticated, message, { reason, domain: 'ameide.auth' }),
  );
}
