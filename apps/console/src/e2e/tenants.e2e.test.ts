// The console against a real Keycloak: a platform administrator creates a tenant in the
// Tenants view and follows its provisioning steps; a user of that tenant signs in with the
// authorization code flow and PKCE at the tenant's realm and sees the tenant's data only;
// the administrator suspends the tenant and the user's next call is refused.
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeycloakIdentity } from '@ameide/tenancy';
import { testKeycloak, waitForTestKeycloak } from '@ameide/testing';
import { startConsolePlatform } from './console-platform.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'];

let platform: Awaited<ReturnType<typeof startConsolePlatform>>;
let browser: Browser;
const tenant = `web-${Date.now().toString(36)}`;

beforeAll(async () => {
  await waitForTestKeycloak();
  const kc = testKeycloak();
  platform = await startConsolePlatform({
    keycloak: { ...kc, sharedRealm: `shared-${tenant}` },
  });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}, 480_000);

afterAll(async () => {
  await browser?.close();
  await platform?.close();
});

describe('tenants in the console (Keycloak)', () => {
  it('creates a tenant, signs its user in with PKCE, and suspends it', async () => {
    const admin = await (await browser.newContext()).newPage();
    await admin.goto(platform.host.url);
    await admin.getByLabel('Tenant').fill('platform');
    await admin.getByLabel('User').fill('ops');
    await admin.getByLabel('Groups').fill('platform-admin');
    await admin.getByRole('button', { name: 'Sign in' }).click();
    await admin.getByRole('link', { name: 'Tenants' }).click();
    const form = admin.getByRole('form', { name: 'New tenant' });
    await form.getByLabel('Tenant id').fill(tenant);
    await form.getByLabel('Name', { exact: true }).fill('Web Co');
    await form.getByLabel('Tier').selectOption('smb');
    await form.getByRole('button', { name: 'Create tenant' }).click();
    const row = admin.locator(`tr[data-tenant="${tenant}"]`);
    await expect
      .poll(() => row.getByTestId('tenant-status').textContent(), { timeout: 60_000 })
      .toBe('active');
    const steps = admin.getByRole('list', { name: `Provisioning steps of ${tenant}` });
    await expect
      .poll(() => steps.textContent(), { timeout: 30_000 })
      .toContain('identity.organization');

    // A user of the tenant, in the shared realm as a member of its organisation.
    const kc = createKeycloakIdentity({ url: testKeycloak().url, admin: testKeycloak().admin });
    const client = await kc.admin();
    const realm = `shared-${tenant}`;
    const { id } = await client.users.create({
      realm,
      username: 'wendy',
      enabled: true,
      email: 'wendy@example.test',
      emailVerified: true,
      firstName: 'Wendy',
      lastName: 'Web',
      credentials: [{ type: 'password', value: 'wendy-pw', temporary: false }],
    });
    const [org] = (await client.organizations.find({ realm, search: 'Web Co' })).filter(
      (o) => o.alias === tenant,
    );
    await client.organizations.addMember({ realm, orgId: org!.id!, userId: id });

    const user = await (await browser.newContext()).newPage();
    await user.goto(platform.host.url);
    await user.getByLabel('Organisation', { exact: true }).fill(tenant);
    await user.getByRole('button', { name: 'Continue to sign-in' }).click();
    await user.waitForLoadState();
    if ((await user.locator('#username').count()) === 0)
      throw new Error(
        `no Keycloak sign-in form at ${user.url()}: ${await user.locator('body').innerText()}`,
      );
    await user.locator('#username').fill('wendy');
    // With organisations on, the shared realm asks for the username first, then the password.
    if ((await user.locator('#password').count()) === 0) await user.locator('#kc-login').click();
    await user.locator('#password').fill('wendy-pw');
    await user.locator('#kc-login').click();
    await expect
      .poll(() => user.getByTestId('tenant').textContent(), { timeout: 30_000 })
      .toBe(`tenant ${tenant}`);
    expect(user.url()).not.toContain('oidc-token');
    await expect
      .poll(() => user.getByText('No process definitions').count(), { timeout: 30_000 })
      .toBeGreaterThan(0);
    // A tenant user has no Tenants view.
    expect(await user.getByRole('link', { name: 'Tenants' }).count()).toBe(0);

    await row.getByRole('button', { name: 'Suspend' }).click();
    await expect
      .poll(() => row.getByTestId('tenant-status').textContent(), { timeout: 30_000 })
      .toBe('suspended');
    // The definitions page asks TransformationService again: refused, and the page says why.
    await user.reload();
    await expect
      .poll(() => user.getByRole('alert').first().textContent(), { timeout: 30_000 })
      .toContain('suspended');
  }, 240_000);
});
