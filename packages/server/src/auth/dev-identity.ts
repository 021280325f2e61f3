import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JSONWebKeySet, type JWK } from 'jose';
import { DEFAULT_MAX_TOKEN_LIFETIME_SEC } from './token-verifier.js';

/** Issuer of tokens signed by the embedded mode's local key. */
export const DEV_ISSUER = 'urn:ameide:dev';
/** Audience of every Ameide token. */
export const AMEIDE_AUDIENCE = 'ameide';

const ALG = 'ES256';

/** Lifetime of a dev token unless asked otherwise: 12 hours (a working day). */
export const DEV_TOKEN_TTL_SEC = 12 * 3600;
/**
 * Longest lifetime a dev token may ask for: what a host accepts by default
 * ({@link DEFAULT_MAX_TOKEN_LIFETIME_SEC}), so no dev token is signed that the
 * embedded mode's host would refuse.
 */
export const MAX_DEV_TOKEN_TTL_SEC = DEFAULT_MAX_TOKEN_LIFETIME_SEC;

export interface DevTokenClaims {
  readonly tenantId: string;
  readonly orgId?: string;
  /** The acting user (`sub`, never empty); `dev-user` when omitted. */
  readonly userId?: string;
  readonly groups?: readonly string[];
  /** Lifetime in seconds: default {@link DEV_TOKEN_TTL_SEC}, at most {@link MAX_DEV_TOKEN_TTL_SEC}. */
  readonly ttlSec?: number;
}

/** The local signing key of the embedded mode. */
export interface DevIdentity {
  readonly issuer: string;
  readonly audience: string;
  /** Public keys, for the host's token verifier. */
  readonly jwks: JSONWebKeySet;
  signToken(claims: DevTokenClaims): Promise<string>;
}

/**
 * Loads the embedded mode's signing key from `<dir>/dev-signing-key.json`,
 * creating it (mode 0600) the first time. Tokens it signs are accepted only by
 * hosts configured with this key, never by production issuers.
 */
export async function loadOrCreateDevIdentity(dir: string): Promise<DevIdentity> {
  const file = join(dir, 'dev-signing-key.json');
  let privateJwk: JWK;
  try {
    privateJwk = JSON.parse(await readFile(file, 'utf8')) as JWK;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`cannot read dev signing key ${file}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const { privateKey } = await generateKeyPair(ALG, { extractable: true });
    privateJwk = {
      ...(await exportJWK(privateKey)),
      alg: ALG,
      kid: `dev-${Date.now().toString(36)}`,
    };
    await mkdir(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(privateJwk), { mode: 0o600 });
    await rename(tmp, file);
  }
  return devIdentityFromJwk(privateJwk);
}

/** A DevIdentity from a private JWK (tests use a throwaway key). */
export async function devIdentityFromJwk(privateJwk: JWK): Promise<DevIdentity> {
  const key = await importJWK(privateJwk, ALG);
  const { d: _d, ...publicJwk } = privateJwk;
  return {
    issuer: DEV_ISSUER,
    audience: AMEIDE_AUDIENCE,
    jwks: { keys: [{ ...publicJwk, use: 'sig' }] },
    async signToken(claims) {
      const ttlSec = claims.ttlSec ?? DEV_TOKEN_TTL_SEC;
      if (!Number.isInteger(ttlSec) || ttlSec <= 0 || ttlSec > MAX_DEV_TOKEN_TTL_SEC)
        throw new RangeError(
          `signToken: ttlSec must be an integer from 1 to ${MAX_DEV_TOKEN_TTL_SEC} (hosts refuse longer-lived tokens), got ${ttlSec}`,
        );
      const sub = claims.userId ?? 'dev-user';
      if (sub === '')
        throw new RangeError('signToken: userId (the token subject) must not be empty');
      const body: Record<string, unknown> = { tenantId: claims.tenantId };
      if (claims.orgId) body['orgId'] = claims.orgId;
      if (claims.groups && claims.groups.length > 0) body['groups'] = [...claims.groups];
      return new SignJWT(body)
        .setProtectedHeader({ alg: ALG, kid: privateJwk.kid ?? 'dev', typ: 'JWT' })
        .setIssuer(DEV_ISSUER)
        .setAudience(AMEIDE_AUDIENCE)
        .setSubject(sub)
        .setIssuedAt()
        .setExpirationTime(`${ttlSec}s`)
        .sign(key);
    },
  };
}

/** Creates an in-memory dev identity with a fresh key (for tests). */
export async function createEphemeralDevIdentity(): Promise<DevIdentity> {
  const { privateKey } = await generateKeyPair(ALG, { extractable: true });
  return devIdentityFromJwk({ ...(await exportJWK(privateKey)), alg: ALG, kid: 'ephemeral' });
}
