import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTokenVerifier,
  DEFAULT_MAX_TOKEN_LIFETIME_SEC,
  loadOrCreateDevIdentity,
} from '@ameide/server';
import { runCli } from './cli-harness.js';

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'ameide-token-'));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('ameide token', () => {
  it('issues only tokens a host with the default limits accepts', async () => {
    const token = (ttl?: number) =>
      runCli([
        '--home',
        home,
        'token',
        '--tenant',
        'acme',
        '--user',
        'alice',
        ...(ttl === undefined ? [] : ['--ttl', String(ttl)]),
      ]);
    const byDefault = await token(); // creates the home's dev key
    const [longest, tooLong] = await Promise.all([
      token(DEFAULT_MAX_TOKEN_LIFETIME_SEC),
      token(DEFAULT_MAX_TOKEN_LIFETIME_SEC + 1),
    ]);
    const identity = await loadOrCreateDevIdentity(home);
    const verifier = createTokenVerifier({
      issuer: identity.issuer,
      audience: identity.audience,
      jwks: identity.jwks,
    });

    expect(byDefault.code).toBe(0);
    const claims = await verifier.verify(byDefault.stdout.trim());
    expect(claims).toMatchObject({ sub: 'alice', tenantId: 'acme' });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(12 * 3600);

    expect(longest.code).toBe(0);
    await expect(verifier.verify(longest.stdout.trim())).resolves.toMatchObject({ sub: 'alice' });

    expect(tooLong.code).not.toBe(0);
    expect(tooLong.stdout).toBe('');
    expect(tooLong.stderr).toContain(`at most ${DEFAULT_MAX_TOKEN_LIFETIME_SEC} seconds`);
  });
});
