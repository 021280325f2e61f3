import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEphemeralDevIdentity,
  createMultiIssuerVerifier,
  createOidcVerifier,
  createTokenVerifier,
  withAdmission,
} from '@ameide/server';

/** A minimal OIDC issuer on loopback: discovery and a JWKS whose keys the test rotates. */
let server: Server;
let issuer = '';
let keys: JWK[] = [];
let jwksFetches = 0;

async function newKey(kid: string): Promise<CryptoKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  keys.push({ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' });
  return privateKey;
}

const sign = (key: CryptoKey, kid: string, claims: Record<string, unknown>, iss = issuer) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid })
    .setIssuer(iss)
    .setAudience('ameide')
    .setSubject('user-1')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(key);

beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/realms/r/.well-known/openid-configuration')
      return void res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/certs` }));
    if (req.url === '/realms/r/certs') {
      jwksFetches++;
      return void res.end(JSON.stringify({ keys }));
    }
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/realms/r`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('OIDC verifier', () => {
  it('verifies through discovery, maps claims, and picks up a rotated key', async () => {
    keys = [];
    const k1 = await newKey('k1');
    const verifier = createOidcVerifier({
      issuer,
      audience: 'ameide',
      jwksCooldownMs: 0,
      claims: { tenantId: 'ameide.tenant', groups: 'roles' },
    });
    const claims = await verifier.verify(
      await sign(k1, 'k1', { ameide: { tenant: 'acme' }, roles: ['sales'] }),
    );
    expect(claims).toMatchObject({ tenantId: 'acme', groups: ['sales'] });
    const fetched = jwksFetches;
    // The issuer rotates: a token signed by the new key makes the verifier fetch the set again.
    const k2 = await newKey('k2');
    await expect(
      verifier.verify(await sign(k2, 'k2', { ameide: { tenant: 'acme' } })),
    ).resolves.toMatchObject({ tenantId: 'acme' });
    expect(jwksFetches).toBe(fetched + 1);
  });

  it('refuses a discovery document that names another issuer', async () => {
    const verifier = createOidcVerifier({ issuer: `${issuer}/`, audience: 'ameide' });
    keys = [];
    const k = await newKey('k');
    // Trailing slashes are the same issuer; a different path is not.
    await expect(verifier.verify(await sign(k, 'k', {}))).resolves.toBeDefined();
    const other = createOidcVerifier({
      issuer: issuer.replace('/realms/r', '/realms/x'),
      audience: 'ameide',
    });
    await expect(other.verify(await sign(k, 'k', {}))).rejects.toMatchObject({
      code: 'unauthenticated',
      reason: 'ISSUER_UNAVAILABLE',
    });
  });

  it('a fixed tenant overrides what the token claims', async () => {
    keys = [];
    const k = await newKey('k');
    const verifier = createOidcVerifier({ issuer, audience: 'ameide', tenant: 'platform' });
    await expect(verifier.verify(await sign(k, 'k', { tenantId: 'acme' }))).resolves.toMatchObject({
      tenantId: 'platform',
    });
  });
});

describe('multi-issuer verifier', () => {
  it('picks the verifier by iss, asks resolve about unknown issuers and refuses them, and admits', async () => {
    const dev = await createEphemeralDevIdentity();
    const resolved: string[] = [];
    const verifier = withAdmission(
      createMultiIssuerVerifier({
        issuers: {
          [dev.issuer]: createTokenVerifier({
            issuer: dev.issuer,
            audience: dev.audience,
            jwks: dev.jwks,
          }),
        },
        resolve: (iss) => {
          resolved.push(iss);
          return Promise.resolve(undefined);
        },
      }),
      (claims) =>
        claims.tenantId === 'blocked'
          ? Promise.reject(new Error('blocked tenant'))
          : Promise.resolve({ ...claims, admitted: true }),
    );
    await expect(verifier.verify(await dev.signToken({ tenantId: 'acme' }))).resolves.toMatchObject(
      {
        tenantId: 'acme',
        admitted: true,
      },
    );
    await expect(verifier.verify(await dev.signToken({ tenantId: 'blocked' }))).rejects.toThrow(
      'blocked tenant',
    );
    keys = [];
    const k = await newKey('k');
    await expect(verifier.verify(await sign(k, 'k', {}))).rejects.toMatchObject({
      reason: 'TOKEN_WRONG_ISSUER',
    });
    expect(resolved).toEqual([issuer]);
    await expect(verifier.verify('not-a-jwt')).rejects.toMatchObject({ reason: 'TOKEN_MALFORMED' });
  });
});
