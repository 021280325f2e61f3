// Scaffolded primitives run: `ameide scaffold domain-primitive` and `uisurface-primitive` into a
// repository layout, `next build` of the app, then `ameide dev --primitives-root` finds the
// domain from its Domain manifest, applies its migrations next to the built-in schemas and
// serves its API beside sales (through the SDK's interceptors; each tenant sees only its own
// rows), and serves the built UISurface next to the console, where Chromium shows the signed-in
// tenant's orders and not another tenant's.
import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import { createClient } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-node';
import { createFileRegistry, fromBinary, type DescService } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fromConnectError } from '@ameide/errors';
import { ameideInterceptors, createAmeideClient } from '@ameide/sdk';
import { runCli, startDev, type DevPlatform } from './cli-harness.js';

const repo = resolve(import.meta.dirname, '..', '..', '..', '..');
const run = promisify(execFile);

describe('ameide dev serves a scaffolded domain next to sales', () => {
  let root: string;
  let home: string;
  let dev: DevPlatform;
  let service: DescService;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ameide-scaffold-dev-'));
    home = await mkdtemp(join(tmpdir(), 'ameide-scaffold-dev-home-'));
    await cp(join(repo, 'proto'), join(root, 'proto'), { recursive: true });
    await cp(join(repo, 'buf.yaml'), join(root, 'buf.yaml'));
    await symlink(join(repo, 'node_modules'), join(root, 'node_modules'));
    const scaffold = await runCli([
      'scaffold',
      'domain-primitive',
      '--values',
      'name=invoicing',
      'entity=Invoice',
      'owner=group:sales',
      'system=order-to-cash',
      'ownership=platform',
      'namespace=ameide-apps',
      '-o',
      root,
    ]);
    expect(scaffold.stderr).toBe('');
    const ui = await runCli([
      'scaffold',
      'uisurface-primitive',
      '--values',
      'name=order-portal',
      'title=Pedidos — Übersicht',
      'hostname=orders.ameide.example',
      'owner=group:sales',
      'system=order-to-cash',
      'ownership=platform',
      'namespace=ameide-apps',
      '-o',
      root,
    ]);
    expect(ui.stderr).toBe('');
    await cp(join(repo, 'tsconfig.base.json'), join(root, 'tsconfig.base.json'));
    await run('npm', ['run', 'build'], {
      cwd: join(root, 'apps', 'order-portal'),
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    });
    const { stdout } = await run(join(repo, 'node_modules/.bin/buf'), ['build', root, '-o', '-'], {
      encoding: 'buffer',
      maxBuffer: 64 * 1024 * 1024,
    });
    service = createFileRegistry(fromBinary(FileDescriptorSetSchema, stdout)).getService(
      'ameide.invoicing.v1.InvoiceService',
    )!;
    dev = await startDev(home, ['--primitives-root', root], { readyTimeoutMs: 180_000 });
  }, 420_000);
  afterAll(async () => {
    if (dev?.child.exitCode === null) await dev.stop('SIGKILL');
    await rm(root, { recursive: true, force: true });
    await rm(home, { recursive: true, force: true });
  });

  const tokenFor = async (tenant: string) => {
    const r = await runCli([
      '--home',
      home,
      'token',
      '--tenant',
      tenant,
      '--user',
      `${tenant}-user`,
    ]);
    expect(r.code).toBe(0);
    return r.stdout.trim();
  };
  const clientFor = async (tenant: string) => {
    const token = await tokenFor(tenant);
    const transport = createConnectTransport({
      baseUrl: dev.url,
      httpVersion: '1.1',
      interceptors: ameideInterceptors({ token }),
    });
    // A client of the scaffolded service from its proto descriptor, with the SDK's interceptors.
    return createClient(service, transport) as unknown as Record<
      string,
      (req: Record<string, unknown>) => Promise<Record<string, unknown>>
    >;
  };

  it('discovered and migrated it at start-up', () => {
    expect(dev.output()).toMatch(/domains.*invoicing/);
  });

  it('serves its API: create, rename, list, per tenant', { timeout: 120_000 }, async () => {
    const acme = await clientFor('acme');
    const globex = await clientFor('globex');
    const created = (await acme.createInvoice!({ title: 'Factura 1' })).invoice as {
      id: string;
      version: bigint;
    };
    expect(created.version).toBe(1n);
    const renamed = (await acme.renameInvoice!({ id: created.id, title: 'Factura 1 (rev)' }))
      .invoice as { title: string; version: bigint };
    expect(renamed).toMatchObject({ title: 'Factura 1 (rev)', version: 2n });
    const mine = (await acme.listInvoices!({})).invoices as Array<{ id: string }>;
    expect(mine.map((i) => i.id)).toContain(created.id);
    const theirs = (await globex.listInvoices!({})).invoices as Array<{ id: string }>;
    expect(theirs.map((i) => i.id)).not.toContain(created.id);
    const refused = fromConnectError(
      await globex.getInvoice!({ id: created.id }).catch((e: unknown) => e),
    );
    expect(refused.code).toBe('not_found');
    const bad = fromConnectError(
      await acme.renameInvoice!({ id: 'not-a-uuid', title: 'x' }).catch((e: unknown) => e),
    );
    expect(bad.fieldViolations[0]?.field).toBe('id');
  });

  it('still serves sales on the same host', { timeout: 60_000 }, async () => {
    const sdk = createAmeideClient({ baseUrl: dev.url, token: await tokenFor('acme') });
    const res = await sdk.customers.listCustomers({});
    expect(Array.isArray(res.customers)).toBe(true);
  });

  it(
    'serves the built UISurface, whose page shows the signed-in tenant’s orders',
    { timeout: 180_000 },
    async () => {
      expect(dev.output()).toMatch(/ui surfaces.*\/order-portal\//);
      const place = async (tenant: string) => {
        const sdk = createAmeideClient({ baseUrl: dev.url, token: await tokenFor(tenant) });
        const { customer } = await sdk.customers.createCustomer({
          name: `${tenant} buyer`,
          email: `buyer-${Date.now()}@${tenant}.example`,
          creditLimit: { currency: 'EUR', amountMinor: 100_000n },
        });
        const { order } = await sdk.orders.createOrder({
          customerId: customer!.customerId,
          currency: 'EUR',
        });
        return order!.orderId;
      };
      const acmeOrder = await place('acme');
      const globexOrder = await place('globex');
      const browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
      });
      try {
        const page = await browser.newPage();
        await page.goto(`${dev.url}/order-portal/`);
        await page.getByText('Sign in through the console first.').waitFor();
        const token = await tokenFor('acme');
        // The console's session of this tab, as its sign-in page stores it.
        const session = { token, tenantId: 'acme', userId: 'acme-user', groups: [] };
        await page.evaluate(
          `sessionStorage.setItem('ameide.session', ${JSON.stringify(JSON.stringify(session))})`,
        );
        await page.reload();
        await page.getByRole('heading', { name: 'Pedidos — Übersicht' }).waitFor();
        await page.getByText(acmeOrder).waitFor();
        const rows = await page.getByTestId('order').allTextContents();
        expect(rows.some((r) => r.includes(acmeOrder))).toBe(true);
        expect(rows.some((r) => r.includes(globexOrder))).toBe(false);
        expect(await page.getByTestId('tenant').textContent()).toBe('Orders of acme');
      } finally {
        await browser.close();
      }
    },
  );
});
