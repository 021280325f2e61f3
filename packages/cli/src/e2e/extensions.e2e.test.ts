// Tenant WASM extensions through the whole platform (createPlatform, the composition root
// `ameide dev` uses), on the test Postgres, the test S3 server (versitygw) and Temporal: a
// module is uploaded, its ExtensionDefinition published (the module checked), invoked through
// ExtensionService, used by the sales pricing extension point and by a process service task.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { buildGuest, guestLibDir } from '@ameide/extensions-runtime';
import { wasmModuleBytes } from '@ameide/extensions-runtime/testing';
import { createPlatform, type Platform } from '@ameide/platform';
import { ArtifactKind, InstanceStatus } from '@ameide/proto';
import { createAmeideClient, type AmeideClient } from '@ameide/sdk';
import { createEphemeralDevIdentity, createLogger } from '@ameide/server';
import { createTestDatabase, type TestDatabase } from '@ameide/testing';
import { rejectionOf } from '@ameide/errors/testing';

const guestSource = fileURLToPath(
  new URL('../../../../examples/extensions/volume-discount/volume-discount.ts', import.meta.url),
);
const quoteProcess = fileURLToPath(
  new URL('../../../../examples/extensions/volume-discount/quote.process.json', import.meta.url),
);
const encoder = new TextEncoder();

function definition(name: string, sha256: string, extra: Record<string, unknown> = {}) {
  return encoder.encode(
    JSON.stringify({
      schemaVersion: 1,
      name,
      module: { sha256 },
      abiVersion: 1,
      entryPoint: 'price',
      extensionPoints: ['sales.order-line-pricing', 'process.service-task'],
      limits: { maxMemoryPages: 2, timeoutMs: 200, maxInputBytes: 4096, maxOutputBytes: 1024 },
      allowedHostCalls: [],
      ...extra,
    }),
  );
}

describe('tenant extensions on the platform (Postgres, versitygw, Temporal)', () => {
  let platform: Platform;
  let testDb: TestDatabase;
  let dir: string;
  let module: Uint8Array;
  let selfMemoryModule: Uint8Array;
  let markupModule: Uint8Array;
  const clients: Record<string, AmeideClient> = {};

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ameide-ext-e2e-'));
    module = await buildGuest({
      entry: guestSource,
      outFile: join(dir, 'vd.wasm'),
      maxMemoryPages: 2,
    });
    // A module with the right entry point that defines a memory of its own.
    selfMemoryModule = wasmModuleBytes({ ownMemory: { initial: 1 }, entryPoints: ['price'] });
    // A pricing extension that breaks the domain's bounds: it doubles the price.
    const markup = join(dir, 'markup.ts');
    // asc resolves relative imports only.
    const lib = relative(dir, guestLibDir);
    await writeFile(
      markup,
      [
        `import { allocBytes, readInput, writeOutput } from '${lib}/abi';`,
        `import { parse, quote } from '${lib}/json';`,
        'export function alloc(len: i32): usize { return allocBytes(len); }',
        'export function price(ptr: usize, len: i32): u64 {',
        "  const asked = I64.parseInt(parse(readInput(ptr, len)).get('unitPrice').get('amountMinor').str);",
        "  return writeOutput('{\"unitPriceMinor\":' + quote((asked * 2).toString()) + '}');",
        '}',
      ].join('\n'),
    );
    markupModule = await buildGuest({
      entry: markup,
      outFile: join(dir, 'markup.wasm'),
      maxMemoryPages: 2,
    });
    testDb = await createTestDatabase('extensions-e2e');
    const identity = await createEphemeralDevIdentity();
    const s3 = inject('s3');
    platform = await createPlatform({
      database: { postgresUrl: testDb.url, poolMax: 10 },
      identity,
      objects: {
        s3: {
          endpoint: s3.endpoint,
          region: s3.region,
          bucket: `ext-e2e-${randomUUID().slice(0, 8)}`,
          credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
          forcePathStyle: true,
        },
      },
      temporal: { address: inject('temporalAddress'), taskQueue: `ext-e2e-${randomUUID()}` },
      host: { port: 0, drainTimeoutMs: 2_000 },
      logger: createLogger({ primitive: { type: 'platform', name: 'ext-e2e' }, level: 'error' }),
      retention: false,
      worker: { shutdownGraceTimeMs: 2_000 },
    });
    for (const tenant of ['acme', 'globex', 'initech']) {
      const token = await identity.signToken({ tenantId: tenant, userId: `${tenant}-user` });
      clients[tenant] = createAmeideClient({ baseUrl: platform.url, token });
    }
  }, 240_000);

  afterAll(async () => {
    await platform?.close();
    await testDb?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  let sha256 = '';

  it('stores the module once (content-addressed) and refuses what is not WebAssembly', async () => {
    const acme = clients['acme']!;
    const first = await acme.extensions.putExtensionModule({ module });
    const again = await acme.extensions.putExtensionModule({ module });
    expect(first.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(again.sha256).toBe(first.sha256);
    expect(Number(first.sizeBytes)).toBe(module.byteLength);
    sha256 = first.sha256;
    const err = await rejectionOf(
      acme.extensions.putExtensionModule({ module: encoder.encode('not wasm at all') }),
    );
    expect(err.code).toBe('invalid_argument');
    expect(err.message).toContain('not a WebAssembly binary');
  });

  it('publishes a definition after checking its module, and refuses bad ones naming the rule', async () => {
    const acme = clients['acme']!;
    const { artifact } = await acme.transformation.createArtifact({
      kind: ArtifactKind.EXTENSION_DEFINITION,
      name: 'volume-discount',
      contentType: 'application/json',
      content: definition('volume-discount', sha256),
    });
    const published = await acme.transformation.publishArtifact({
      artifactId: artifact!.id,
    });
    expect(published.artifact?.publishedVersion).toBe(1);

    // A draft that breaks the schema or the policy is refused before it is stored.
    const lint = await rejectionOf(
      acme.transformation.createArtifact({
        kind: ArtifactKind.EXTENSION_DEFINITION,
        name: 'greedy',
        contentType: 'application/json',
        content: definition('greedy', sha256, {
          limits: { maxMemoryPages: 100_000, timeoutMs: 200 },
          allowedHostCalls: ['ameide.sales.v1.OrderService/NoSuchMethod'],
        }),
      }),
    );
    expect(lint.code).toBe('invalid_argument');
    const described = lint.fieldViolations.map((v) => `${v.field}: ${v.description}`).join('\n');
    expect(described).toContain('content.limits.maxMemoryPages: EXD003');
    expect(described).toContain('content.allowedHostCalls.0: EXD004');

    // A module that defines its own memory is refused at publish (EXT001).
    const own = await acme.extensions.putExtensionModule({ module: selfMemoryModule });
    const { artifact: ownMemory } = await acme.transformation.createArtifact({
      kind: ArtifactKind.EXTENSION_DEFINITION,
      name: 'own-memory',
      contentType: 'application/json',
      content: definition('own-memory', own.sha256),
    });
    const refused = await rejectionOf(
      acme.transformation.publishArtifact({ artifactId: ownMemory!.id }),
    );
    expect(refused.code).toBe('invalid_argument');
    expect(refused.message).toContain('EXT001');

    // Another tenant cannot publish a definition over acme's module: it is not in its store.
    const globex = clients['globex']!;
    const { artifact: borrowed } = await globex.transformation.createArtifact({
      kind: ArtifactKind.EXTENSION_DEFINITION,
      name: 'borrowed',
      contentType: 'application/json',
      content: definition('borrowed', sha256),
    });
    const notStored = await rejectionOf(
      globex.transformation.publishArtifact({ artifactId: borrowed!.id }),
    );
    expect(notStored.code).toBe('failed_precondition');
    expect(notStored.message).toContain('not stored for this tenant');
  });

  it('invokes the published extension for its tenant only', async () => {
    const res = await clients['acme']!.extensions.invokeExtension({
      name: 'volume-discount',
      input: {
        kind: {
          case: 'structValue',
          value: {
            fields: {
              orderId: { kind: { case: 'stringValue', value: 'o-1' } },
              sku: { kind: { case: 'stringValue', value: 'SKU-1' } },
              quantity: { kind: { case: 'numberValue', value: 100 } },
              unitPrice: {
                kind: {
                  case: 'structValue',
                  value: {
                    fields: {
                      currency: { kind: { case: 'stringValue', value: 'EUR' } },
                      amountMinor: { kind: { case: 'stringValue', value: '2000' } },
                    },
                  },
                },
              },
            },
          },
        },
      },
    });
    expect(res.version).toBe(1);
    expect(res.moduleSha256).toBe(sha256);
    const output = res.output?.kind;
    expect(output?.case).toBe('structValue');
    const fields = output?.case === 'structValue' ? output.value.fields : {};
    expect(fields['unitPriceMinor']?.kind).toEqual({ case: 'stringValue', value: '1800' });

    const missing = await rejectionOf(
      clients['globex']!.extensions.invokeExtension({ name: 'volume-discount' }),
    );
    expect(missing.code).toBe('not_found');
  });

  it('prices order lines through the extension point, recorded in the event, within bounds', async () => {
    const acme = clients['acme']!;
    const { customer } = await acme.customers.createCustomer({
      name: 'Volume buyer',
      email: `buyer-${randomUUID()}@example.com`,
      creditLimit: { currency: 'EUR', amountMinor: 10_000_000n },
    });
    const { order } = await acme.orders.createOrder({
      customerId: customer!.customerId,
      currency: 'EUR',
    });
    const priced = await acme.orders.addOrderLine({
      orderId: order!.orderId,
      sku: 'SKU-BULK',
      quantity: 10,
      unitPrice: { currency: 'EUR', amountMinor: 1999n },
    });
    expect(priced.order?.lines[0]?.unitPrice?.amountMinor).toBe(1900n);
    const net = await acme.orders.addOrderLine({
      orderId: order!.orderId,
      sku: 'NET-1',
      quantity: 500,
      unitPrice: { currency: 'EUR', amountMinor: 700n },
    });
    expect(net.order?.lines[1]?.unitPrice?.amountMinor).toBe(700n);

    // The decision is in the line_added event: requested price and which extension version.
    const { rows } = await platform.db.query<{ payload: Record<string, unknown> }>(
      `SELECT payload FROM sales.outbox WHERE aggregate_id = $1 AND type = 'sales.order.line_added.v1' ORDER BY aggregate_version`,
      [order!.orderId],
    );
    expect(rows[0]?.payload['pricing']).toEqual({
      requestedUnitPrice: { currency: 'EUR', amountMinor: '1999' },
      source: `extension volume-discount v1 (module ${sha256.slice(0, 12)})`,
    });

    // The other tenant has no extension: its prices stay as asked.
    const globex = clients['globex']!;
    const { customer: gc } = await globex.customers.createCustomer({
      name: 'Globex buyer',
      email: `globex-${randomUUID()}@example.com`,
      creditLimit: { currency: 'EUR', amountMinor: 10_000_000n },
    });
    const { order: go } = await globex.orders.createOrder({
      customerId: gc!.customerId,
      currency: 'EUR',
    });
    const unpriced = await globex.orders.addOrderLine({
      orderId: go!.orderId,
      sku: 'SKU-BULK',
      quantity: 10,
      unitPrice: { currency: 'EUR', amountMinor: 1999n },
    });
    expect(unpriced.order?.lines[0]?.unitPrice?.amountMinor).toBe(1999n);
  });

  it('refuses an order line when the extension prices outside the bounds, writing nothing', async () => {
    const initech = clients['initech']!;
    const { sha256: markupSha } = await initech.extensions.putExtensionModule({
      module: markupModule,
    });
    const { artifact } = await initech.transformation.createArtifact({
      kind: ArtifactKind.EXTENSION_DEFINITION,
      name: 'markup',
      contentType: 'application/json',
      content: definition('markup', markupSha),
    });
    await initech.transformation.publishArtifact({ artifactId: artifact!.id });
    const { customer } = await initech.customers.createCustomer({
      name: 'Initech',
      email: `initech-${randomUUID()}@example.com`,
      creditLimit: { currency: 'EUR', amountMinor: 10_000_000n },
    });
    const { order } = await initech.orders.createOrder({
      customerId: customer!.customerId,
      currency: 'EUR',
    });
    const err = await rejectionOf(
      initech.orders.addOrderLine({
        orderId: order!.orderId,
        sku: 'SKU-1',
        quantity: 1,
        unitPrice: { currency: 'EUR', amountMinor: 500n },
      }),
    );
    expect(err.code).toBe('failed_precondition');
    expect(err.message).toContain('extension markup v1');
    expect(err.message).toContain('may not raise the requested 500');
    const { order: after } = await initech.orders.getOrder({ orderId: order!.orderId });
    expect(after?.lines).toEqual([]);
  });

  it('runs the extension from a process service task on Temporal', async () => {
    const acme = clients['acme']!;
    const process = await readFile(quoteProcess);
    const { artifact } = await acme.transformation.createArtifact({
      kind: ArtifactKind.PROCESS_DEFINITION,
      name: 'quote-with-extension',
      contentType: 'application/json',
      content: process,
    });
    await acme.transformation.publishArtifact({ artifactId: artifact!.id });
    const { instanceId } = await acme.process.startProcess({
      definition: { case: 'definitionName', value: 'quote-with-extension' },
      businessKey: `quote-${randomUUID()}`,
      variables: { quantity: 120, unitPriceMinor: '1000' },
    });
    const deadline = Date.now() + 120_000;
    for (;;) {
      const { instance } = await acme.process.getProcessInstance({ instanceId });
      if (instance?.status === InstanceStatus.COMPLETED) {
        expect(instance.variables?.['quotedMinor']).toBe('900');
        break;
      }
      expect(instance?.status).not.toBe(InstanceStatus.FAILED);
      if (Date.now() > deadline) throw new Error(`instance ${instanceId} did not complete`);
      await new Promise((r) => setTimeout(r, 250));
    }
  });
});
