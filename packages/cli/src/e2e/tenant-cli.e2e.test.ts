// `ameide dev --keycloak-url` with `ameide tenant` and `ameide login --issuer`: a platform
// administrator provisions a tenant, a user of it signs in with the OAuth device flow (the
// browser side driven in Chromium), acts in the tenant, is refused once it is suspended, and
// the tenant is deleted.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeycloakIdentity } from '@ameide/tenancy';
import { testKeycloak, waitForTestKeycloak } from '@ameide/testing';
import { bin, runCli, startDev, type DevPlatform } from './cli-harness.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'];

describe('ameide tenant and ameide login --issuer (Keycloak)', () => {
  const tenant = `cli-${Date.now().toString(36)}`;
  let home: string;
  let userHome: string;
  let dev: DevPlatform;
  let browser: Browser;
  let login: ChildProcess | undefined;
  const cli = (args: string[], h = home) => runCli(['--home', h, ...args, '--url', dev.url]);
  const plain = (args: string[], h = home) => runCli(['--home', h, ...args]);

  beforeAll(async () => {
    await waitForTestKeycloak();
    const kc = testKeycloak();
    home = await mkdtemp(join(tmpdir(), 'ameide-tenant-cli-'));
    userHome = await mkdtemp(join(tmpdir(), 'ameide-tenant-user-'));
    const url = new URL(kc.url);
    url.username = encodeURIComponent(kc.admin.username);
    url.password = encodeURIComponent(kc.admin.password);
    dev = await startDev(home, ['--keycloak-url', url.toString()], { readyTimeoutMs: 120_000 });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  }, 480_000);

  afterAll(async () => {
    login?.kill();
    await browser?.close();
    await dev?.stop();
    await rm(home, { recursive: true, force: true });
    await rm(userHome, { recursive: true, force: true });
  });

  it('provisions a tenant, signs a user in with the device flow, suspends it, refuses an early delete, resumes it', async () => {
    // A tenant token may not use TenantService.
    await plain(['login', '--dev', '--tenant', 'demo']);
    const refused = await cli(['tenant', 'list']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('permission_denied');
    expect(refused.stderr).toContain('platform administrators');

    expect(
      (await plain(['login', '--dev', '--tenant', 'platform', '--groups', 'platform-admin'])).code,
    ).toBe(0);
    const created = await cli([
      'tenant',
      'create',
      tenant,
      '--name',
      'CLI Co',
      '--tier',
      'enterprise',
    ]);
    expect(created.stderr).toContain(`provisioning tenant ${tenant}`);
    expect(created.code).toBe(0);
    expect(created.stdout).toContain(`${tenant} (CLI Co): active, enterprise, shared database`);
    expect(created.stdout).toContain('done     identity.realm');
    const list = await cli(['tenant', 'list']);
    expect(list.stdout).toMatch(new RegExp(`${tenant}\\s+active\\s+enterprise`));
    const bad = await cli(['tenant', 'create', 'bad/id']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('tenant_id');

    // A user of the new realm signs in with the device flow.
    const kc = createKeycloakIdentity({ url: testKeycloak().url, admin: testKeycloak().admin });
    const realm = `tenant-${tenant}`;
    await (
      await kc.admin()
    ).users.create({
      realm,
      username: 'dana',
      enabled: true,
      email: 'dana@example.test',
      emailVerified: true,
      firstName: 'Dana',
      lastName: 'Test',
      credentials: [{ type: 'password', value: 'dana-pw', temporary: false }],
    });
    const issuer = kc.issuerOf(realm);
    const proc = spawn(process.execPath, [bin, '--home', userHome, 'login', '--issuer', issuer], {
      stdio: 'pipe',
    });
    login = proc;
    let loginErr = '';
    proc.stderr.on('data', (d: Buffer) => (loginErr += d.toString()));
    const exited = new Promise<number | null>((r) => proc.on('exit', r));
    const verification = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no device prompt:\n${loginErr}`)), 30_000);
      proc.stderr.on('data', () => {
        const m = /open (\S+) in a browser/.exec(loginErr);
        if (m?.[1]) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
    });
    const page = await browser.newPage();
    await page.goto(verification);
    await page.fill('#username', 'dana');
    await page.fill('#password', 'dana-pw');
    await page.click('#kc-login');
    // Keycloak may ask the user to grant the device access (a button named "accept"). Wait for
    // that page or for the CLI to finish: checking at once raced the navigation on a loaded
    // machine, found no button, and left the CLI polling until the test timed out.
    const grant = page.locator('[name="accept"]');
    const next = await Promise.race([
      exited.then(() => 'signed in'),
      grant.waitFor({ timeout: 60_000 }).then(
        () => 'grant',
        () => 'no grant page',
      ),
    ]);
    if (next === 'grant') await grant.click();
    const code = await Promise.race([
      exited,
      new Promise<never>((_, reject) =>
        setTimeout(() => {
          void page
            .content()
            .catch(() => '')
            .then((html) =>
              reject(
                new Error(
                  `ameide login did not finish (${next}):\n${loginErr}\npage ${page.url()}:\n${html.slice(0, 2000)}`,
                ),
              ),
            );
        }, 60_000),
      ),
    ]);
    expect(code, loginErr).toBe(0);
    expect(loginErr).toContain(`signed in as dana at ${issuer}`);
    await page.close();

    const who = await cli(['whoami'], userHome);
    expect(who.stdout).toContain(`tenant ${tenant}`);

    const suspended = await cli(['tenant', 'suspend', tenant]);
    expect(suspended.stdout).toContain(`${tenant} (CLI Co): suspended`);
    const denied = await cli(['whoami'], userHome);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('permission_denied');
    expect(denied.stderr).toContain('suspended');

    const deleted = await cli(['tenant', 'delete', tenant]);
    // The dev platform keeps suspended tenants for 30 days before they may be deleted.
    expect(deleted.code).toBe(1);
    expect(deleted.stderr).toContain('failed_precondition');
    expect(deleted.stderr).toContain('can be deleted from');
    const resumed = await cli(['tenant', 'resume', tenant]);
    expect(resumed.stdout).toContain(`${tenant} (CLI Co): active`);
    expect((await cli(['whoami'], userHome)).stdout).toContain(`tenant ${tenant}`);
  }, 420_000);
});
