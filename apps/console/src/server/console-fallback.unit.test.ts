import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEphemeralDevIdentity } from '@ameide/server';
import { createConsoleFallback, type ConsoleFallback } from '@ameide/console';

let dir: string;
let server: Server;
let url: string;
let fallback: ConsoleFallback;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'console-fallback-'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
  fallback = createConsoleFallback({
    identity: await createEphemeralDevIdentity(),
    distDir: dir,
    before: [
      (req, res) => {
        if (!req.url?.startsWith('/shop/')) return false;
        res.end('a UISurface');
        return true;
      },
    ],
  });
  server = createServer(fallback.httpFallback);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

describe('createConsoleFallback', () => {
  it('chains the dev sign-in, the handlers given, the console files, then 404', async () => {
    const token = await fetch(`${url}/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId: 'acme', userId: 'ann' }),
    });
    expect(token.status).toBe(200);
    expect(((await token.json()) as { token: string }).token).toMatch(/^ey/);
    expect(await (await fetch(`${url}/shop/index.html`)).text()).toBe('a UISurface');
    expect(await (await fetch(`${url}/definitions/x`)).text()).toContain('id="root"');
    expect((await fetch(`${url}/anything`, { method: 'POST' })).status).toBe(404);
  });

  it("asks the platform's tenant issuers only once they are given", async () => {
    const before = await fetch(`${url}/auth/login?tenant=acme`, { redirect: 'manual' });
    expect(before.status).toBe(404);
    expect(await before.text()).toContain('Tenant acme has no sign-in here');
    const asked: string[] = [];
    fallback.tenantIssuers((tenantId) => {
      asked.push(tenantId);
      return Promise.resolve(undefined);
    });
    const after = await fetch(`${url}/auth/login?tenant=beta`, { redirect: 'manual' });
    expect(after.status).toBe(404);
    expect(asked).toEqual(['beta']);
  });
});
