import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JSONWebKeySet } from 'jose';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { isAmeideError } from '@ameide/errors';
import {
  AMEIDE_AUDIENCE,
  DEFAULT_MAX_TOKEN_LIFETIME_SEC,
  DEV_ISSUER,
  DEV_TOKEN_TTL_SEC,
  MAX_DEV_TOKEN_TTL_SEC,
  createEphemeralDevIdentity,
  createTokenVerifier,
  type TokenVerifierOptions,
} from '@ameide/server';

afterEach(() => {
  vi.useRealTimers();
});

describe('token verifier cache', () => {
  it('still refuses a cached token once it has expired', async () => {
    const identity = await createEphemeralDevIdentity();
    const verifier = createTokenVerifier({
      issuer: identity.issuer,
      audience: identity.audience,
      jwks: identity.jwks,
      clockToleranceSec: 0,
    });
    const token = await identity.signToken({ tenantId: 'acme', ttlSec: 30 });
    await expect(verifier.verify(token)).resolves.toMatchObject({ tenantId: 'acme' });
    vi.useFakeTimers({ now: Date.now() + 10_000 });
    await expect(verifier.verify(token)).resolves.toMatchObject({ tenantId: 'acme' });
    vi.setSystemTime(Date.now() + 25_000);
    await expect(verifier.verify(token)).rejects.toMatchObject({
      code: 'unauthenticated',
      reason: 'TOKEN_EXPIRED',
    });
  });

  it('does not cache refusals', async () => {
    const identity = await createEphemeralDevIdentity();
    const other = await createEphemeralDevIdentity();
    const verifier = createTokenVerifier({
      issuer: identity.issuer,
      audience: identity.audience,
      jwks: identity.jwks,
    });
    const forged = await other.signToken({ tenantId: 'acme' });
    await expect(verifier.verify(forged)).rejects.toMatchObject({ reason: 'TOKEN_BAD_SIGNATURE' });
    await expect(verifier.verify(forged)).rejects.toMatchObject({ reason: 'TOKEN_BAD_SIGNATURE' });
  });
});

describe('token verifier with a JWKS URL (production mode)', () => {
  it('verifies against keys fetched from the issuer, and refuses tokens of keys it does not publish', async () => {
    const { createServer } = await import('node:http');
    const identity = await createEphemeralDevIdentity();
    const other = await createEphemeralDevIdentity();
    let fetches = 0;
    const server = createServer((_req, res) => {
      fetches++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(identity.jwks));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const verifier = createTokenVerifier({
        issuer: identity.issuer,
        audience: identity.audience,
        jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
      });
      await expect(
        verifier.verify(await identity.signToken({ tenantId: 'acme', userId: 'alice' })),
      ).resolves.toMatchObject({
        tenantId: 'acme',
        sub: 'alice',
      });
      await expect(
        verifier.verify(await other.signToken({ tenantId: 'acme' })),
      ).rejects.toMatchObject({ code: 'unauthenticated' });
      expect(fetches).toBeGreaterThan(0);
    } finally {
      server.close();
    }
  });
});

describe('token rules', () => {
  const now = () => Math.floor(Date.now() / 1000);
  let key: CryptoKey;
  let jwks: JSONWebKeySet;
  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    key = pair.privateKey;
    jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k', alg: 'ES256' }] };
  });
  const verifierWith = (options: Partial<TokenVerifierOptions> = {}) =>
    createTokenVerifier({
      issuer: DEV_ISSUER,
      audience: AMEIDE_AUDIENCE,
      jwks,
      clockToleranceSec: 5,
      ...options,
    });
  /** Signs exactly `claims` (plus iss/aud); nothing is added, so tests can leave claims out. */
  const sign = (claims: Record<string, unknown>) =>
    new SignJWT({ iss: DEV_ISSUER, aud: AMEIDE_AUDIENCE, tenantId: 'acme', ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'k' })
      .sign(key);
  const reasonOf = async (verify: Promise<unknown>) => {
    try {
      await verify;
      return 'accepted';
    } catch (err) {
      if (!isAmeideError(err)) throw err;
      expect(err.code).toBe('unauthenticated');
      return err.reason;
    }
  };

  it('accepts a token with sub, iat and exp inside the limits', async () => {
    const t = await sign({ sub: 'alice', iat: now(), exp: now() + 600 });
    await expect(verifierWith().verify(t)).resolves.toMatchObject({ sub: 'alice' });
  });

  it('requires exp (TOKEN_EXP_MISSING)', async () => {
    const t = await sign({ sub: 'alice', iat: now() });
    expect(await reasonOf(verifierWith().verify(t))).toBe('TOKEN_EXP_MISSING');
  });

  it('requires a non-empty string sub (TOKEN_SUB_MISSING, TOKEN_SUB_INVALID)', async () => {
    const v = verifierWith();
    const times = { iat: now(), exp: now() + 600 };
    expect(await reasonOf(v.verify(await sign(times)))).toBe('TOKEN_SUB_MISSING');
    expect(await reasonOf(v.verify(await sign({ ...times, sub: '' })))).toBe('TOKEN_SUB_MISSING');
    for (const sub of [123, true, null, ['alice'], { id: 'alice' }])
      expect(await reasonOf(v.verify(await sign({ ...times, sub })))).toBe('TOKEN_SUB_INVALID');
  });

  it('refuses a lifetime (exp - iat) above maxLifetimeSec, accepts one at it', async () => {
    const v = verifierWith({ maxLifetimeSec: 3600 });
    const iat = now() - 10;
    expect(await reasonOf(v.verify(await sign({ sub: 'a', iat, exp: iat + 3600 })))).toBe(
      'accepted',
    );
    expect(await reasonOf(v.verify(await sign({ sub: 'a', iat, exp: iat + 3601 })))).toBe(
      'TOKEN_LIFETIME_TOO_LONG',
    );
  });

  it('measures the lifetime of a token without iat from now, allowing the clock skew', async () => {
    const v = verifierWith({ maxLifetimeSec: 3600, clockToleranceSec: 5 });
    expect(await reasonOf(v.verify(await sign({ sub: 'a', exp: now() + 3600 })))).toBe('accepted');
    expect(await reasonOf(v.verify(await sign({ sub: 'a', exp: now() + 3620 })))).toBe(
      'TOKEN_LIFETIME_TOO_LONG',
    );
  });

  it('accepts at most 24 hours by default', async () => {
    const v = verifierWith();
    const iat = now();
    expect(DEFAULT_MAX_TOKEN_LIFETIME_SEC).toBe(24 * 3600);
    expect(await reasonOf(v.verify(await sign({ sub: 'a', iat, exp: iat + 24 * 3600 })))).toBe(
      'accepted',
    );
    expect(await reasonOf(v.verify(await sign({ sub: 'a', iat, exp: iat + 24 * 3600 + 1 })))).toBe(
      'TOKEN_LIFETIME_TOO_LONG',
    );
  });

  it('refuses iat in the future beyond the clock skew (TOKEN_ISSUED_IN_FUTURE)', async () => {
    const v = verifierWith({ clockToleranceSec: 5 });
    const exp = now() + 3600;
    expect(await reasonOf(v.verify(await sign({ sub: 'a', iat: now() + 3, exp })))).toBe(
      'accepted',
    );
    expect(await reasonOf(v.verify(await sign({ sub: 'a', iat: now() + 60, exp })))).toBe(
      'TOKEN_ISSUED_IN_FUTURE',
    );
  });

  it('dev tokens last 12 hours by default and are accepted by a default host; longer ones are not signed', async () => {
    const identity = await createEphemeralDevIdentity();
    const v = createTokenVerifier({
      issuer: identity.issuer,
      audience: identity.audience,
      jwks: identity.jwks,
    });
    const claims = await v.verify(await identity.signToken({ tenantId: 'acme' }));
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(DEV_TOKEN_TTL_SEC);
    expect(DEV_TOKEN_TTL_SEC).toBe(12 * 3600);
    const longest = await identity.signToken({ tenantId: 'acme', ttlSec: MAX_DEV_TOKEN_TTL_SEC });
    await expect(v.verify(longest)).resolves.toMatchObject({ sub: 'dev-user' });
    await expect(
      identity.signToken({ tenantId: 'acme', ttlSec: MAX_DEV_TOKEN_TTL_SEC + 1 }),
    ).rejects.toThrow(/ttlSec/);
    await expect(identity.signToken({ tenantId: 'acme', userId: '' })).rejects.toThrow(/userId/);
  });
});
