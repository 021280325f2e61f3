import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEphemeralDevIdentity, createTokenVerifier } from '@ameide/server';

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
