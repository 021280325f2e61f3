// A split deployment that knows its tenants: `ameide serve tenants` provisions them, and
// the other primitives, each a process of its own, read the tenant registry
// (--tenants-postgres-url): a tenant with a database of its own is served from it, an
// enterprise tenant's instances run in its Temporal namespace, a suspended tenant is refused.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { rejectionOf } from '@ameide/errors/testing';
import { createPgDatabase, type Database } from '@ameide/persistence';
import { ArtifactKind, DatabasePlacement, InstanceStatus, TenantTier } from '@ameide/proto';
import { createAmeideClient } from '@ameide/sdk';
import { DEV_ISSUER, loadOrCreateDevIdentity, type DevIdentity } from '@ameide/server';
import { createTestDatabase, type TestDatabase } from '@ameide/testing';
import { runCli } from './cli-harness.js';
import { blankAmeideEnv, serve, until, type Served } from './serve-harness.js';

const run = randomUUID().slice(0, 6);
const corp = `corp-${run}`;
const shop = `shop-${run}`;
let dir: string;
let testDb: TestDatabase;
let identity: DevIdentity;
let owner: Database;
const running: Served[] = [];
let tenants: Served;
let sales: Served;
let transformation: Served;
let processService: Served;

const tokens = () => ['--token-issuer', DEV_ISSUER, '--jwks-file', join(dir, 'jwks.json')];
const registry = () => ['--tenants-postgres-url', testDb.url, '--tenants-refresh', '500ms'];
const as = async (served: Served, tenantId: string) =>
  createAmeideClient({
    baseUrl: served.url,
    token: await identity.signToken({ tenantId, userId: `${tenantId}-user`, groups: ['sales'] }),
  });

/** TenantService as a platform administrator. */
const platformAdmin = async () =>
  createAmeideClient({
    baseUrl: tenants.url,
    token: await identity.signToken({
      tenantId: 'platform',
      userId: 'ops',
      groups: ['platform-admin'],
    }),
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ameide-serve-tenants-'));
  testDb = await createTestDatabase('serve_tenants');
  owner = createPgDatabase({ url: testDb.url, pool: { max: 1 } });
  identity = await loadOrCreateDevIdentity(dir);
  await writeFile(join(dir, 'jwks.json'), JSON.stringify(identity.jwks));
  const temporal = inject('temporalAddress');
  tenants = await serve('tenants', [
    '--postgres-url',
    testDb.url,
    ...tokens(),
    '--temporal-address',
    temporal,
  ]);
  running.push(tenants);
  const admin = await platformAdmin();
  await admin.tenants.createTenant({
    tenantId: corp,
    tier: TenantTier.ENTERPRISE,
    databasePlacement: DatabasePlacement.DEDICATED,
  });
  await admin.tenants.createTenant({ tenantId: shop, tier: TenantTier.SMB });
  const db = ['--postgres-url', testDb.url];
  [sales, transformation, processService] = await Promise.all([
    serve('sales', [...db, ...tokens(), ...registry()]),
    serve('transformation', [...db, ...tokens(), ...registry()]),
    serve('process', [
      ...db,
      ...tokens(),
      ...registry(),
      '--temporal-address',
      temporal,
      '--task-queue',
      `serve-tenants-${run}`,
    ]),
  ]);
  running.push(sales, transformation, processService);
}, 240_000);

afterAll(async () => {
  await Promise.all(running.map((s) => s.stop('SIGKILL')));
  await owner?.close();
  await testDb?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('ameide serve with the tenant registry', () => {
  it('serves a tenant with a database of its own from that database', async () => {
    const client = await as(sales, corp);
    await client.customers.createCustomer({
      name: 'Corp Buyer',
      email: 'buyer@corp.example',
      creditLimit: { currency: 'EUR', amountMinor: 1000n },
    });
    const tenant = await (await platformAdmin()).tenants.getTenant({ tenantId: corp });
    const url = new URL(testDb.url);
    url.pathname = `/${tenant.tenant!.databaseName}`;
    const own = createPgDatabase({ url: url.toString(), pool: { max: 1 } });
    try {
      const count = async (q: Database) =>
        (
          await q.query('SELECT count(*)::int AS n FROM sales.customers WHERE tenant_id = $1', [
            corp,
          ])
        ).rows[0]!['n'];
      expect(await count(own)).toBe(1);
      expect(await count(owner)).toBe(0);
    } finally {
      await own.close();
    }
    const { customers } = await client.customers.listCustomers({});
    expect(customers.map((c) => c.name)).toEqual(['Corp Buyer']);
  }, 60_000);

  it("runs an enterprise tenant's instance in its namespace, polled by serve process-worker", async () => {
    const worker = await serve('process-worker', [
      '--postgres-url',
      testDb.url,
      ...registry(),
      '--temporal-address',
      inject('temporalAddress'),
      '--task-queue',
      `serve-tenants-${run}`,
      '--signing-key-file',
      join(dir, 'dev-signing-key.json'),
      '--service-url',
      sales.url,
    ]);
    running.push(worker);
    const design = await as(transformation, corp);
    const definition = {
      schemaVersion: 1,
      id: 'hello',
      nodes: [
        { id: 'Start', type: 'startEvent', position: { x: 0, y: 0 }, data: {} },
        { id: 'End', type: 'endEvent', position: { x: 100, y: 0 }, data: {} },
      ],
      edges: [{ id: 'f1', source: 'Start', target: 'End' }],
    };
    const { artifact } = await design.transformation.createArtifact({
      kind: ArtifactKind.PROCESS_DEFINITION,
      name: 'hello',
      contentType: 'application/json',
      content: new TextEncoder().encode(JSON.stringify(definition)),
    });
    await design.transformation.publishArtifact({ artifactId: artifact!.id });
    const processes = (await as(processService, corp)).process;
    const { instanceId } = await processes.startProcess({
      definition: { case: 'definitionName', value: 'hello' },
    });
    const status = await until('the instance to complete', async () => {
      const s = (await processes.getProcessInstance({ instanceId })).instance?.status;
      return s === InstanceStatus.COMPLETED ? s : undefined;
    }).catch((err: Error) => {
      throw new Error(`${err.message}\n${worker.stdout().slice(-3000)}`);
    });
    expect(status).toBe(InstanceStatus.COMPLETED);
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    try {
      const inNamespace = await until('the workflow in the tenant namespace', async () => {
        const { count } = await connection.workflowService.countWorkflowExecutions({
          namespace: `tenant-${corp}`,
          query: `AmeideTenant = '${corp}'`,
        });
        return Number(count) > 0 ? Number(count) : undefined;
      });
      expect(inNamespace).toBe(1);
      const stray = await connection.workflowService.countWorkflowExecutions({
        namespace: 'default',
        query: `AmeideTenant = '${corp}'`,
      });
      expect(Number(stray.count)).toBe(0);
    } finally {
      await connection.close();
    }
  }, 180_000);

  it("relays a tenant database's outbox with serve relay", async () => {
    const relay = await serve('relay', [
      '--postgres-url',
      testDb.url,
      ...registry(),
      '--nats-url',
      inject('natsUrl'),
      '--no-retention',
    ]);
    running.push(relay);
    const nc = await connect({ servers: inject('natsUrl') });
    try {
      const jsm = await jetstreamManager(nc);
      const relayed = await until('the tenant database events on JetStream', async () => {
        const info = await jsm.streams
          .info('EVENTS', { subjects_filter: `events.${corp}.sales.>` })
          .catch(() => undefined);
        const n = Object.values(info?.state.subjects ?? {}).reduce((a, b) => a + b, 0);
        return n > 0 ? n : undefined;
      });
      expect(relayed).toBeGreaterThan(0);
    } finally {
      await nc.close();
    }
  }, 120_000);

  it('refuses a suspended tenant in every primitive that knows the registry', async () => {
    const client = await as(sales, shop);
    expect((await client.customers.listCustomers({})).customers).toEqual([]);
    await (await platformAdmin()).tenants.suspendTenant({ tenantId: shop });
    // Each primitive looks a tenant up again after at most 2 s.
    const reason = await until('the suspension to reach serve sales', async () => {
      const err = await rejectionOf(client.customers.listCustomers({})).catch(() => undefined);
      return err?.reason === 'TENANT_SUSPENDED' ? err : undefined;
    });
    expect(reason.code).toBe('permission_denied');
    const design = await as(transformation, shop);
    expect((await rejectionOf(design.transformation.listArtifacts({}))).reason).toBe(
      'TENANT_SUSPENDED',
    );
    // The other tenant is served as before.
    const other = await as(sales, corp);
    expect((await other.customers.listCustomers({})).customers).toHaveLength(1);
  }, 60_000);

  it('says so when the tenant registry is not there', async () => {
    const empty = await createTestDatabase('serve_tenants_none');
    try {
      const r = await runCli(
        [
          'serve',
          'sales',
          '--port',
          '0',
          '--postgres-url',
          empty.url,
          ...tokens(),
          '--tenants-postgres-url',
          empty.url,
        ],
        { env: blankAmeideEnv() },
      );
      expect(r.code).toBe(1);
      expect(r.stdout + r.stderr).toContain('no tenant registry in');
      expect(r.stdout + r.stderr).toContain('ameide serve tenants');
    } finally {
      await empty.drop();
    }
  }, 60_000);
});
