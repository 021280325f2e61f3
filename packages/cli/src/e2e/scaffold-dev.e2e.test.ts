// A scaffolded domain runs: `ameide scaffold domain-primitive` into a repository layout, then
// `ameide dev --domains-root` finds it from its Domain manifest, applies its migrations next to
// the built-in schemas and serves its API beside sales; the API answers through the SDK's
// interceptors (token, retries, errors as AmeideError), each tenant sees only its own rows, and
// sales still answers on the same host.
import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    const { stdout } = await run(join(repo, 'node_modules/.bin/buf'), ['build', root, '-o', '-'], {
      encoding: 'buffer',
      maxBuffer: 64 * 1024 * 1024,
    });
    service = createFileRegistry(fromBinary(FileDescriptorSetSchema, stdout)).getService(
      'ameide.invoicing.v1.InvoiceService',
    )!;
    dev = await startDev(home, ['--domains-root', root], { readyTimeoutMs: 180_000 });
  }, 240_000);
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
});
