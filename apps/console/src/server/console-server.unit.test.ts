import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwtVerify, createLocalJWKSet } from 'jose';
import { createEphemeralDevIdentity, type DevIdentity } from '@ameide/server';
import { createConsoleHandler, createDevTokenHandler } from '@ameide/console';

let dir: string;
let server: Server;
let url: string;
let identity: DevIdentity;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'console-dist-'));
  await mkdir(join(dir, 'assets'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
  await writeFile(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  identity = await createEphemeralDevIdentity();
  const devToken = createDevTokenHandler(identity);
  const console = createConsoleHandler({ distDir: dir });
  server = createServer((req, res) => {
    if (devToken(req, res) || console(req, res)) return;
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

describe('createConsoleHandler', () => {
  it('serves hashed assets as immutable with their content type', async () => {
    const res = await fetch(`${url}/assets/index-abc123.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect(await res.text()).toBe('console.log(1)');
  });

  it('answers index.html (revalidated) for client-side routes, 304 when unchanged', async () => {
    const res = await fetch(`${url}/definitions/abc`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(await res.text()).toContain('id="root"');
    const again = await fetch(`${url}/`, {
      headers: { 'if-none-match': res.headers.get('etag')! },
    });
    expect(again.status).toBe(304);
  });

  it('gives 404 for missing assets and never serves files outside dist', async () => {
    expect((await fetch(`${url}/assets/index-old.js`)).status).toBe(404);
    expect(await (await fetch(`${url}/%2e%2e/%2e%2e/etc/passwd`)).text()).not.toContain('root:');
    expect((await fetch(`${url}/..%2f..%2f..%2fetc%2fhosts.txt`)).status).toBe(404);
    expect((await fetch(`${url}/..%2fpackage.json`)).status).toBe(404);
  });
});

describe('createDevTokenHandler', () => {
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${url}/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('signs a token for the chosen tenant, user and groups that the platform key verifies', async () => {
    const res = await post({ tenantId: 'acme', userId: 'bob', groups: ['sales', 'finance'] });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; tenantId: string };
    const { payload } = await jwtVerify(body.token, createLocalJWKSet(identity.jwks), {
      issuer: identity.issuer,
      audience: identity.audience,
    });
    expect(payload).toMatchObject({ tenantId: 'acme', sub: 'bob', groups: ['sales', 'finance'] });
  });

  it('refuses bad input naming the field, other methods, non-JSON bodies and cross-origin callers', async () => {
    const bad = await post({ tenantId: 'no spaces', userId: 'bob' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^tenantId/);
    expect((await fetch(`${url}/dev/token`)).status).toBe(405);
    expect(
      (
        await fetch(`${url}/dev/token`, {
          method: 'POST',
          body: '{}',
          headers: { 'content-type': 'text/plain' },
        })
      ).status,
    ).toBe(415);
    expect(
      (await post({ tenantId: 'acme', userId: 'bob' }, { origin: 'http://evil.example' })).status,
    ).toBe(403);
    expect((await post({ tenantId: 'acme', userId: 'bob' }, { origin: url })).status).toBe(200);
  });
});
