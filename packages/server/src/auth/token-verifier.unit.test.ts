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
