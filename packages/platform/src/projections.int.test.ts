// The Projection primitive through the composition root: the order-to-cash read model joins an
// order to the process instance whose service task created it, the Graph answers impact and path
// questions over published artifacts (and as of an older version), and neither can be written.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPgDatabase, sqlStateOf, withTenant, type Database } from '@ameide/persistence';
import { createPlatform, type Platform } from '@ameide/platform';
import { ArtifactKind, Direction, InstanceStatus } from '@ameide/proto';
import { createAmeideClient, type AmeideClient } from '@ameide/sdk';
import { createEphemeralDevIdentity, createLogger, type DevIdentity } from '@ameide/server';
import {
  createTestDatabase,
  testKafka,
  waitForTestKafka,
  type TestDatabase,
} from '@ameide/testing';
import { rejectionOf } from '@ameide/errors/testing';

const encoder = new TextEncoder();

/** A process whose service task creates an order, and optionally a second that confirms it. */
function makeOrderProcess(confirm: boolean) {
  const task = (id: string, method: string, input: string, output: string, x: number) => ({
    id,
    type: 'serviceTask',
    position: { x, y: 0 },
    data: {
      name: method,
      binding: { service: 'ameide.sales.v1.OrderService', method, input, output, timeout: 'PT30S' },
    },
  });
  const nodes = [
    { id: 'Start', type: 'startEvent', position: { x: 0, y: 0 } },
    task(
      'Create',
      'CreateOrder',
      '{ customerId: customerId, currency: "EUR" }',
      '{ orderId: response.order.orderId }',
      100,
    ),
    ...(confirm
      ? [
          task(
            'Line',
            'AddOrderLine',
            '{ orderId: orderId, sku: "SKU-1", quantity: 2, unitPrice: { currency: "EUR", amountMinor: "1250" } }',
            '{}',
            200,
          ),
        ]
      : []),
    { id: 'End', type: 'endEvent', position: { x: 300, y: 0 } },
  ];
  const ids = nodes.map((n) => n.id);
  return encoder.encode(
    JSON.stringify({
      schemaVersion: 1,
      id: 'make-order',
      name: 'Make an order',
      variables: [
        { name: 'customerId', type: 'string', required: true },
        { name: 'orderId', type: 'string' },
      ],
      nodes,
      edges: ids.slice(1).map((target, i) => ({ id: `f${i}`, source: ids[i]!, target })),
    }),
  );
}

describe('projections on the platform (Postgres, Temporal)', () => {
  let testDb: TestDatabase;
  let platform: Platform;
  let identity: DevIdentity;
  let owner: Database;
  const clients: Record<string, AmeideClient> = {};
  let orderId = '';
  let instanceId = '';

  beforeAll(async () => {
    testDb = await createTestDatabase('projections_platform');
    identity = await createEphemeralDevIdentity();
    platform = await createPlatform({
      database: { postgresUrl: testDb.url, poolMax: 10 },
      identity,
      temporal: { address: inject('temporalAddress'), taskQueue: `proj-${randomUUID()}` },
      host: { port: 0, drainTimeoutMs: 2_000 },
      logger: createLogger({ primitive: { type: 'platform', name: 'proj-int' }, level: 'error' }),
      retention: false,
      worker: { shutdownGraceTimeMs: 2_000 },
    });
    owner = createPgDatabase({ url: testDb.url, pool: { max: 2 } });
    for (const tenant of ['acme', 'globex']) {
      const token = await identity.signToken({ tenantId: tenant, userId: `${tenant}-user` });
      clients[tenant] = createAmeideClient({ baseUrl: platform.url, token });
    }
  }, 240_000);

  afterAll(async () => {
    await owner?.close();
    await platform?.close();
    await testDb?.drop();
  });

  const caughtUp = async (client: AmeideClient) => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { projections } = await client.projections.listProjections({});
      if (projections.every((p) => p.eventsBehind === 0n)) return projections;
      if (Date.now() > deadline) throw new Error('projections did not catch up');
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it('joins an order to the process instance whose service task created it', async () => {
    const acme = clients['acme']!;
    const { customer } = await acme.customers.createCustomer({
      name: 'Ada Ltd',
      email: 'ada@example.com',
      creditLimit: { currency: 'EUR', amountMinor: 1_000_000n },
    });
    const { artifact } = await acme.transformation.createArtifact({
      kind: ArtifactKind.PROCESS_DEFINITION,
      name: 'make-order',
      contentType: 'application/json',
      content: makeOrderProcess(false),
    });
    await acme.transformation.publishArtifact({ artifactId: artifact!.id });
    // Version 2 also adds a line: the Graph at version 1 must not show that call.
    await acme.transformation.reviseArtifact({
      artifactId: artifact!.id,
      expectedVersion: 2n,
      contentType: 'application/json',
      content: makeOrderProcess(true),
    });
    await acme.transformation.publishArtifact({ artifactId: artifact!.id });
    ({ instanceId } = await acme.process.startProcess({
      definition: { case: 'definitionName', value: 'make-order' },
      businessKey: `o-${randomUUID()}`,
      variables: { customerId: customer!.customerId },
    }));
    const deadline = Date.now() + 120_000;
    for (;;) {
      const { instance } = await acme.process.getProcessInstance({ instanceId });
      if (instance?.status === InstanceStatus.COMPLETED) {
        orderId = instance.variables?.['orderId'] as string;
        break;
      }
      expect(instance?.status).not.toBe(InstanceStatus.FAILED);
      if (Date.now() > deadline) throw new Error(`instance ${instanceId} did not complete`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const projections = await caughtUp(acme);
    expect(projections.map((p) => p.name).sort()).toEqual(['graph', 'order-to-cash']);

    const { order } = await acme.orderToCash.getOrderSummary({ orderId });
    expect(order).toMatchObject({
      orderId,
      customerId: customer!.customerId,
      customerName: 'Ada Ltd',
      status: 'draft',
      lineCount: 1,
      processInstanceId: instanceId,
      processDefinition: 'make-order',
      processStatus: 'completed',
    });
    expect(order!.total?.amountMinor).toBe(2500n);
    expect(order!.lines.map((l) => l.sku)).toEqual(['SKU-1']);
    const listed = await acme.orderToCash.listOrderSummaries({ status: 'draft' });
    expect(listed.orders.map((o) => o.orderId)).toEqual([orderId]);

    // Another tenant's read model has none of it.
    const globex = clients['globex']!;
    expect((await globex.orderToCash.listOrderSummaries({})).orders).toEqual([]);
    expect((await rejectionOf(globex.orderToCash.getOrderSummary({ orderId }))).code).toBe(
      'not_found',
    );
    expect((await rejectionOf(acme.orderToCash.listOrderSummaries({ status: 'lost' }))).code).toBe(
      'invalid_argument',
    );
  });

  it('answers what breaks if a proto method changes, paths, neighbours, and the graph as of version 1', async () => {
    const acme = clients['acme']!;
    const addLine = 'method:ameide.sales.v1.OrderService/AddOrderLine';
    const impact = await acme.graph.getImpact({ nodeId: addLine });
    expect(impact.impacted.map((i) => i.node!.id)).toContain('process:make-order');
    const path = impact.impacted.find((i) => i.node!.id === 'process:make-order')!.path!;
    expect(path.edges.map((e) => `${e.from} -${e.kind}-> ${e.to}`)).toEqual([
      `process:make-order -calls-> ${addLine}`,
    ]);
    // Changing the sales domain breaks its methods' callers and the read model fed by its events.
    const domain = await acme.graph.getImpact({ nodeId: 'domain:sales' });
    const hit = domain.impacted.map((i) => i.node!.id);
    expect(hit).toEqual(expect.arrayContaining(['process:make-order', 'projection:order-to-cash']));

    const { paths } = await acme.graph.findPaths({
      from: 'process:make-order',
      to: 'projection:order-to-cash',
    });
    expect(paths[0]!.nodes.map((n) => n.id)).toEqual([
      'process:make-order',
      expect.stringMatching(/^method:ameide\.sales\.v1\.OrderService\//),
      'domain:sales',
      expect.stringMatching(/^event:sales\./),
      'projection:order-to-cash',
    ]);

    const now = await acme.graph.getNeighbours({
      nodeId: 'process:make-order',
      direction: Direction.OUT,
    });
    expect(now.neighbours.map((n) => n.id).sort()).toEqual([
      addLine,
      'method:ameide.sales.v1.OrderService/CreateOrder',
    ]);
    expect(now.node!.attributes['version']).toBe('2');
    const v1 = await acme.graph.getNeighbours({
      nodeId: 'process:make-order',
      direction: Direction.OUT,
      at: { artifact: 'make-order', version: 1 },
    });
    expect(v1.neighbours.map((n) => n.id)).toEqual([
      'method:ameide.sales.v1.OrderService/CreateOrder',
    ]);
    expect(v1.node!.attributes['version']).toBe('1');
    expect(
      (
        await rejectionOf(
          acme.graph.getNeighbours({
            nodeId: 'process:make-order',
            at: { artifact: 'make-order', version: 9 },
          }),
        )
      ).code,
    ).toBe('not_found');

    const search = await acme.graph.searchNodes({ query: 'make', kind: 'process' });
    expect(search.nodes.map((n) => n.id)).toEqual(['process:make-order']);
    // Another tenant's graph has the platform catalog but none of acme's artifacts.
    const globex = clients['globex']!;
    expect((await globex.graph.searchNodes({ kind: 'process' })).nodes).toEqual([]);
    expect((await rejectionOf(globex.graph.getImpact({ nodeId: 'process:make-order' }))).code).toBe(
      'not_found',
    );
    expect((await globex.graph.getImpact({ nodeId: addLine })).impacted).toEqual([]);
  });

  it('refuses every write to the read models and the Graph under the app role', async () => {
    const tables = [
      'projection_graph.nodes',
      'projection_graph.edges',
      'projection_graph.versions',
      'projection_graph.artifacts',
      'projection_order_to_cash.orders',
      'projection_order_to_cash.customers',
      'projection_order_to_cash.process_instances',
    ];
    for (const t of tables) {
      for (const sql of [
        `INSERT INTO ${t} (tenant_id) VALUES ('acme')`,
        `UPDATE ${t} SET tenant_id = 'acme'`,
        `DELETE FROM ${t}`,
        `TRUNCATE ${t}`,
      ]) {
        const err = await withTenant(owner, { tenantId: 'acme' }, (tx) => tx.query(sql)).catch(
          (e: unknown) => e,
        );
        expect(sqlStateOf(err), sql).toBe('42501');
      }
      // ... while reading works.
      await withTenant(owner, { tenantId: 'acme' }, (tx) => tx.query(`SELECT count(*) FROM ${t}`));
    }
  });

  it('rebuilds a projection for platform admins only, serving throughout, with the same result', async () => {
    const acme = clients['acme']!;
    const before = await acme.orderToCash.getOrderSummary({ orderId });
    const denied = await rejectionOf(acme.projections.rebuildProjection({ name: 'order-to-cash' }));
    expect(denied.code).toBe('permission_denied');
    const admin = createAmeideClient({
      baseUrl: platform.url,
      token: await identity.signToken({
        tenantId: 'acme',
        userId: 'ops',
        groups: ['platform-admin'],
      }),
    });
    expect((await rejectionOf(admin.projections.rebuildProjection({ name: 'nope' }))).code).toBe(
      'not_found',
    );
    expect(
      (await rejectionOf(admin.projections.rebuildProjection({ name: 'graph', source: 'kafka' })))
        .code,
    ).toBe('failed_precondition');
    const started = await admin.projections.rebuildProjection({ name: 'order-to-cash' });
    expect(started.status?.lastRebuild?.state).toBe('running');
    const deadline = Date.now() + 60_000;
    for (;;) {
      // The serving tables answer during the rebuild.
      expect((await acme.orderToCash.getOrderSummary({ orderId })).order?.orderId).toBe(orderId);
      const { status } = await acme.projections.getProjectionStatus({ name: 'order-to-cash' });
      if (status?.lastRebuild?.state === 'swapped') break;
      expect(status?.lastRebuild?.state).toBe('running');
      if (Date.now() > deadline) throw new Error('rebuild did not finish');
      await new Promise((r) => setTimeout(r, 100));
    }
    const after = await acme.orderToCash.getOrderSummary({ orderId });
    expect(after.order).toEqual(before.order);
  });
});

describe('projections on the embedded platform (PGlite): tenants apart', () => {
  let platform: Platform;
  const clients: Record<string, AmeideClient> = {};

  beforeAll(async () => {
    const identity = await createEphemeralDevIdentity();
    platform = await createPlatform({
      database: { pglite: true },
      identity,
      services: ['sales'],
      host: { port: 0, hostname: '127.0.0.1' },
      logger: createLogger({
        primitive: { type: 'platform', name: 'proj-pglite' },
        level: 'error',
      }),
      retention: false,
    });
    for (const tenant of ['acme', 'globex']) {
      const token = await identity.signToken({ tenantId: tenant, userId: `${tenant}-user` });
      clients[tenant] = createAmeideClient({ baseUrl: platform.url, token });
    }
  }, 120_000);
  afterAll(() => platform?.close());

  it('shows each tenant only its own orders and artifacts', async () => {
    const orders: Record<string, string> = {};
    for (const tenant of ['acme', 'globex']) {
      const c = clients[tenant]!;
      const { customer } = await c.customers.createCustomer({
        name: `${tenant} customer`,
        email: `buyer@${tenant}.example`,
        creditLimit: { currency: 'EUR', amountMinor: 100_000n },
      });
      const { order } = await c.orders.createOrder({
        customerId: customer!.customerId,
        currency: 'EUR',
      });
      orders[tenant] = order!.orderId;
    }
    const { artifact } = await clients['acme']!.transformation.createArtifact({
      kind: ArtifactKind.PROCESS_DEFINITION,
      name: 'make-order',
      contentType: 'application/json',
      content: makeOrderProcess(true),
    });
    await clients['acme']!.transformation.publishArtifact({ artifactId: artifact!.id });
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { projections } = await clients['acme']!.projections.listProjections({});
      if (projections.every((p) => p.eventsBehind === 0n)) break;
      if (Date.now() > deadline) throw new Error('projections did not catch up');
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const [tenant, other] of [
      ['acme', 'globex'],
      ['globex', 'acme'],
    ] as const) {
      const c = clients[tenant]!;
      const listed = await c.orderToCash.listOrderSummaries({});
      expect(listed.orders.map((o) => [o.orderId, o.customerName])).toEqual([
        [orders[tenant], `${tenant} customer`],
      ]);
      expect(
        (await rejectionOf(c.orderToCash.getOrderSummary({ orderId: orders[other]! }))).code,
      ).toBe('not_found');
    }
    const acmeProcesses = await clients['acme']!.graph.searchNodes({ kind: 'process' });
    expect(acmeProcesses.nodes.map((n) => n.id)).toEqual(['process:make-order']);
    expect((await clients['globex']!.graph.searchNodes({ kind: 'process' })).nodes).toEqual([]);
    const impact = await clients['acme']!.graph.getImpact({
      nodeId: 'method:ameide.sales.v1.OrderService/CreateOrder',
    });
    expect(impact.impacted.map((i) => i.node!.id)).toEqual(['process:make-order']);
  });
});

describe('projections rebuilt from Kafka through the platform (PGlite, Kafka)', () => {
  let platform: Platform;
  let identity: DevIdentity;
  let acme: AmeideClient;

  beforeAll(async () => {
    await waitForTestKafka();
    const { brokers, topicPrefix } = testKafka('platform-kafka');
    identity = await createEphemeralDevIdentity();
    platform = await createPlatform({
      database: { pglite: true },
      identity,
      services: ['sales'],
      kafka: { brokers, topicPrefix },
      host: { port: 0, hostname: '127.0.0.1' },
      logger: createLogger({ primitive: { type: 'platform', name: 'proj-kafka' }, level: 'error' }),
      retention: false,
    });
    acme = createAmeideClient({
      baseUrl: platform.url,
      token: await identity.signToken({ tenantId: 'acme', userId: 'acme-user' }),
    });
  }, 180_000);
  afterAll(() => platform?.close());

  it(
    'relays the logs to Kafka and rebuilds order-to-cash from the topics',
    { timeout: 180_000 },
    async () => {
      const { customer } = await acme.customers.createCustomer({
        name: 'Kafka Ltd',
        email: 'k@example.com',
        creditLimit: { currency: 'EUR', amountMinor: 100_000n },
      });
      const { order } = await acme.orders.createOrder({
        customerId: customer!.customerId,
        currency: 'EUR',
      });
      await acme.orders.addOrderLine({
        orderId: order!.orderId,
        sku: 'SKU-K',
        quantity: 3,
        unitPrice: { currency: 'EUR', amountMinor: 700n },
      });
      const admin = createAmeideClient({
        baseUrl: platform.url,
        token: await identity.signToken({
          tenantId: 'acme',
          userId: 'ops',
          groups: ['platform-admin'],
        }),
      });
      const deadline = Date.now() + 120_000;
      for (;;) {
        const { projections } = await acme.projections.listProjections({});
        if (projections.every((p) => p.eventsBehind === 0n)) break;
        if (Date.now() > deadline) throw new Error('projections did not catch up');
        await new Promise((r) => setTimeout(r, 100));
      }
      const before = (await acme.orderToCash.getOrderSummary({ orderId: order!.orderId })).order;
      expect(before?.total?.amountMinor).toBe(2100n);
      // The relays move the logs to Kafka in the background: a rebuild before the topics hold
      // every event fails (and says how many it got); try again until one swaps in.
      for (;;) {
        await admin.projections.rebuildProjection({ name: 'order-to-cash', source: 'kafka' });
        let rebuild;
        for (;;) {
          const { status } = await admin.projections.getProjectionStatus({ name: 'order-to-cash' });
          rebuild = status!.lastRebuild!;
          if (rebuild.state !== 'running') break;
          await new Promise((r) => setTimeout(r, 200));
        }
        if (rebuild.state === 'swapped') {
          expect(rebuild.source).toBe('kafka');
          break;
        }
        expect(rebuild.error).toMatch(/gave \d+ of the \d+ events/);
        if (Date.now() > deadline) throw new Error('no rebuild from Kafka swapped in');
        await new Promise((r) => setTimeout(r, 500));
      }
      expect((await acme.orderToCash.getOrderSummary({ orderId: order!.orderId })).order).toEqual(
        before,
      );
    },
  );
});
