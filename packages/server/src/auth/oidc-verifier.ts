import { decodeJwt } from 'jose';
import { AmeideError, ErrorCode } from '@ameide/errors';
import {
  createTokenVerifier,
  type TokenVerifier,
  type TokenVerifierOptions,
  type VerifiedClaims,
} from './token-verifier.js';

/** Which claims of an issuer's tokens carry what Ameide reads (dotted paths allowed). */
export interface ClaimMapping {
  /** Default `tenantId`. */
  readonly tenantId?: string;
  /** Default `orgId`. */
  readonly orgId?: string;
  /** Default `groups`. */
  readonly groups?: string;
}

/** Options of {@link createOidcVerifier}. */
export interface OidcVerifierOptions extends Omit<
  TokenVerifierOptions,
  'jwks' | 'jwksUrl' | 'issuer'
> {
  /** The issuer URL; its keys are found through `<issuer>/.well-known/openid-configuration`. */
  readonly issuer: string;
  readonly claims?: ClaimMapping;
  /** Every token of this issuer acts for this tenant (a platform operators' realm, say). */
  readonly tenant?: string;
  readonly fetch?: typeof fetch;
}

const refuse = (reason: string, message: string, cause?: unknown) =>
  new AmeideError(ErrorCode.Unauthenticated, message, {
    reason,
    domain: 'ameide.auth',
    ...(cause !== undefined ? { cause } : {}),
  });

/**
 * A verifier for one OpenID Connect issuer (Keycloak realm, ...): discovery on first use (the
 * document must name the same issuer), then the issuer's JWKS through jose, which fetches it
 * again when a token names a key it lacks, so rotated keys are picked up without a restart.
 * Claims are mapped to the names Ameide reads by configuration. A discovery failure refuses
 * the call (`unauthenticated`, `ISSUER_UNAVAILABLE`) and is retried on the next one.
 */
export function createOidcVerifier(options: OidcVerifierOptions): TokenVerifier {
  const issuer = options.issuer.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  let inner: Promise<TokenVerifier> | undefined;
  const discover = async (): Promise<TokenVerifier> => {
    const url = `${issuer}/.well-known/openid-configuration`;
    let doc: { issuer?: unknown; jwks_uri?: unknown };
    try {
      const res = await doFetch(url, { signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      doc = (await res.json()) as typeof doc;
    } catch (err) {
      throw refuse('ISSUER_UNAVAILABLE', `cannot read ${url}: ${(err as Error).message}`, err);
    }
    if (doc.issuer !== issuer || typeof doc.jwks_uri !== 'string')
      throw refuse(
        'ISSUER_UNAVAILABLE',
        `${url} names issuer ${String(doc.issuer)} and jwks_uri ${String(doc.jwks_uri)}; expected issuer ${issuer}`,
      );
    const { claims: _c, tenant: _t, fetch: _f, issuer: _i, ...rest } = options;
    return createTokenVerifier({ ...rest, issuer, jwksUrl: doc.jwks_uri });
  };
  return {
    async verify(token) {
      inner ??= discover().catch((err: unknown) => {
        inner = undefined;
        throw err;
      });
      const claims = await (await inner).verify(token);
      return mapClaims(claims, options.claims, options.tenant);
    },
  };
}

function claimAt(claims: VerifiedClaims, path: string): unknown {
  if (path in claims) return (claims as Record<string, unknown>)[path];
  let v: unknown = claims;
  for (const part of path.split('.')) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

function mapClaims(
  claims: VerifiedClaims,
  mapping: ClaimMapping | undefined,
  tenant: string | undefined,
): VerifiedClaims {
  if (!mapping && tenant === undefined) return claims;
  const tenantId = tenant ?? claimAt(claims, mapping?.tenantId ?? 'tenantId');
  const orgId = claimAt(claims, mapping?.orgId ?? 'orgId');
  const groups = claimAt(claims, mapping?.groups ?? 'groups');
  return {
    ...claims,
    ...(tenantId !== undefined ? { tenantId } : {}),
    ...(orgId !== undefined ? { orgId } : {}),
    ...(groups !== undefined ? { groups } : {}),
  };
}

/** Options of {@link createMultiIssuerVerifier}. */
export interface MultiIssuerVerifierOptions {
  /** Verifiers of fixed issuers, by issuer (`iss`). */
  readonly issuers?: Readonly<Record<string, TokenVerifier>>;
  /**
   * A verifier for an issuer not in `issuers` (tenant realms created at run time), or
   * undefined when it is not trusted.
   */
  readonly resolve?: (issuer: string) => Promise<TokenVerifier | undefined>;
}

/**
 * Trusts several issuers: picks the verifier by the token's (not yet verified) `iss`, which
 * that verifier then checks with the signature. A token of an issuer no one trusts is refused
 * (`TOKEN_WRONG_ISSUER`) without fetching anything.
 */
export function createMultiIssuerVerifier(options: MultiIssuerVerifierOptions): TokenVerifier {
  const fixed = new Map(Object.entries(options.issuers ?? {}));
  return {
    async verify(token) {
      let iss: unknown;
      try {
        iss = decodeJwt(token).iss;
      } catch (err) {
        throw refuse('TOKEN_MALFORMED', 'token malformed', err);
      }
      if (typeof iss !== 'string' || iss === '')
        throw refuse('TOKEN_WRONG_ISSUER', 'token has no issuer (iss)');
      const verifier = fixed.get(iss) ?? (await options.resolve?.(iss));
      if (!verifier) throw refuse('TOKEN_WRONG_ISSUER', 'token issuer not accepted');
      return verifier.verify(token);
    },
  };
}

/**
 * Runs `admit` on the claims of every verified token, on every call (after the verifier's
 * cache): the place where a tenant directory refuses suspended tenants and tokens of a realm
 * that does not serve the tenant they claim, or rewrites claims (the tenant of an organisation).
 */
export function withAdmission(
  verifier: TokenVerifier,
  admit: (claims: VerifiedClaims) => Promise<VerifiedClaims>,
): TokenVerifier {
  return { verify: async (token) => admit(await verifier.verify(token)) };
}
