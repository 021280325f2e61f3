import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors as joseErrors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
} from 'jose';
import { AmeideError, ErrorCode } from '@ameide/errors';

/** Longest token lifetime a host accepts unless configured otherwise: 24 hours. */
export const DEFAULT_MAX_TOKEN_LIFETIME_SEC = 24 * 3600;

/** Claims of a verified Ameide token. */
export interface VerifiedClaims extends JWTPayload {
  readonly tenantId?: unknown;
  readonly orgId?: unknown;
  readonly groups?: unknown;
}

export interface TokenVerifierOptions {
  /** Required `iss`. */
  readonly issuer: string;
  /** Required `aud` (one of). */
  readonly audience: string | readonly string[];
  /** Verify against a JWKS URL (production: the OIDC issuer's jwks_uri) ... */
  readonly jwksUrl?: string;
  /** ... or against a local key set (embedded mode). */
  readonly jwks?: JSONWebKeySet;
  /**
   * With `jwksUrl`: the shortest time between two fetches of the key set (default 5 s). A token
   * signed by a key the cached set lacks (a rotated key) makes the verifier fetch it again, at
   * most this often, so a rotation is picked up without a restart.
   */
  readonly jwksCooldownMs?: number;
  /** Allowed clock skew in seconds for exp/nbf/iat (default 5). */
  readonly clockToleranceSec?: number;
  /**
   * Longest lifetime a token may claim, in seconds (default
   * {@link DEFAULT_MAX_TOKEN_LIFETIME_SEC}): `exp - iat`, or `exp - now` for a
   * token without `iat`. A longer-lived token is refused
   * (`TOKEN_LIFETIME_TOO_LONG`): a leaked token must not stay usable for long.
   * `Infinity` turns the check off.
   */
  readonly maxLifetimeSec?: number;
  /**
   * How many verified tokens to remember (default 10,000; 0 disables). A
   * cached token is re-checked against exp/nbf on every use and forgotten after
   * at most 60 s, so key rotation and revocation of the key set take effect
   * within a minute.
   */
  readonly cacheSize?: number;
}

/** Verifies bearer tokens; refuses with `unauthenticated` and a precise reason. */
export interface TokenVerifier {
  verify(token: string): Promise<VerifiedClaims>;
}

/**
 * Creates a JWT verifier (jose) that checks signature, `iss`, `aud`, `exp` and
 * `nbf`, and requires what Ameide relies on: an `exp` (`TOKEN_EXP_MISSING`), a
 * lifetime of at most `maxLifetimeSec` (`TOKEN_LIFETIME_TOO_LONG`), an `iat` not
 * in the future (`TOKEN_ISSUED_IN_FUTURE`) and a non-empty string `sub`
 * (`TOKEN_SUB_MISSING`, `TOKEN_SUB_INVALID`). Every refusal is an
 * `unauthenticated` AmeideError whose reason names the failed check
 * (`TOKEN_EXPIRED`, `TOKEN_WRONG_ISSUER`, ...).
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const keySet = options.jwksUrl
    ? createRemoteJWKSet(new URL(options.jwksUrl), {
        cooldownDuration: options.jwksCooldownMs ?? 5_000,
      })
    : options.jwks
      ? createLocalJWKSet(options.jwks)
      : undefined;
  if (!keySet) throw new Error('createTokenVerifier: give jwksUrl or jwks');
  const audience = typeof options.audience === 'string' ? options.audience : [...options.audience];
  const tolerance = options.clockToleranceSec ?? 5;
  const maxLifetime = options.maxLifetimeSec ?? DEFAULT_MAX_TOKEN_LIFETIME_SEC;
  if (!(maxLifetime > 0)) throw new Error('createTokenVerifier: maxLifetimeSec must be > 0');
  const cacheSize = options.cacheSize ?? 10_000;
  // Insertion-ordered Map as a small LRU: signature checks (ES256/RS256) cost
  // far more than the rest of a call, and clients reuse one token many times.
  const cache = new Map<string, { claims: VerifiedClaims; until: number }>();
  return {
    async verify(token) {
      const now = Date.now();
      const hit = cache.get(token);
      if (hit) {
        cache.delete(token);
        if (hit.until > now) {
          checkTimes(hit.claims, now / 1000, tolerance);
          cache.set(token, hit);
          return hit.claims;
        }
      }
      let payload: VerifiedClaims;
      try {
        ({ payload } = await jwtVerify(token, keySet, {
          issuer: options.issuer,
          audience,
          clockTolerance: tolerance,
        }));
      } catch (err) {
        throw refusal(err);
      }
      checkRequired(payload, now / 1000, tolerance, maxLifetime);
      if (cacheSize > 0) {
        const until = Math.min(now + 60_000, (payload.exp as number) * 1000);
        cache.set(token, { claims: payload, until });
        if (cache.size > cacheSize) cache.delete(cache.keys().next().value!);
      }
      return payload;
    },
  };
}

const refuse = (reason: string, message: string): AmeideError =>
  new AmeideError(ErrorCode.Unauthenticated, message, { reason, domain: 'ameide.auth' });

/** Checks of a verified token jose does not make (it has checked the types of exp/iat/nbf). */
function checkRequired(
  claims: VerifiedClaims,
  nowSec: number,
  tolerance: number,
  maxLifetime: number,
): void {
  if (claims.exp === undefined) throw refuse('TOKEN_EXP_MISSING', 'token has no expiry (exp)');
  if (claims.iat !== undefined && claims.iat > nowSec + tolerance)
    throw refuse('TOKEN_ISSUED_IN_FUTURE', 'token issued in the future (iat)');
  // Without iat, what is left of the lifetime is all we can see; allow the clock skew on it.
  const lifetime = claims.iat !== undefined ? claims.exp - claims.iat : claims.exp - nowSec;
  const allowed = claims.iat !== undefined ? maxLifetime : maxLifetime + tolerance;
  if (lifetime > allowed)
    throw refuse(
      'TOKEN_LIFETIME_TOO_LONG',
      `token lifetime ${Math.round(lifetime)} s exceeds the maximum of ${maxLifetime} s`,
    );
  const sub: unknown = claims.sub;
  if (sub === undefined || sub === '')
    throw refuse('TOKEN_SUB_MISSING', 'token has no subject (sub)');
  if (typeof sub !== 'string')
    throw refuse('TOKEN_SUB_INVALID', 'token subject (sub) is not a string');
}

function checkTimes(claims: VerifiedClaims, nowSec: number, tolerance: number): void {
  if (typeof claims.exp === 'number' && nowSec - tolerance >= claims.exp) {
    throw new AmeideError(ErrorCode.Unauthenticated, 'token expired', {
      reason: 'TOKEN_EXPIRED',
      domain: 'ameide.auth',
    });
  }
  if (typeof claims.nbf === 'number' && nowSec + tolerance < claims.nbf) {
    throw new AmeideError(ErrorCode.Unauthenticated, 'token not yet valid (nbf)', {
      reason: 'TOKEN_NOT_YET_VALID',
      domain: 'ameide.auth',
    });
  }
}

function refusal(err: unknown): AmeideError {
  const [reason, message] = classify(err);
  return new AmeideError(ErrorCode.Unauthenticated, message, {
    reason,
    domain: 'ameide.auth',
    cause: err,
  });
}

function classify(err: unknown): [string, string] {
  if (err instanceof joseErrors.JWTExpired) return ['TOKEN_EXPIRED', 'token expired'];
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    switch (err.claim) {
      case 'nbf':
        return ['TOKEN_NOT_YET_VALID', 'token not yet valid (nbf)'];
      case 'iss':
        return ['TOKEN_WRONG_ISSUER', 'token issuer not accepted'];
      case 'aud':
        return ['TOKEN_WRONG_AUDIENCE', 'token audience not accepted'];
      default:
        return ['TOKEN_INVALID_CLAIM', `token claim "${err.claim}" invalid`];
    }
  }
  if (
    err instanceof joseErrors.JWSSignatureVerificationFailed ||
    err instanceof joseErrors.JWKSNoMatchingKey
  ) {
    return ['TOKEN_BAD_SIGNATURE', 'token signature not verified by any trusted key'];
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed)
    return ['TOKEN_BAD_ALGORITHM', 'token algorithm not allowed'];
  return ['TOKEN_MALFORMED', 'token malformed'];
}
