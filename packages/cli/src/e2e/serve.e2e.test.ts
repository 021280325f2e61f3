import { randomUUID } from 'node:crypto';
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, ScheduleNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPgDatabase } from '@ameide/persistence';
import {
  ArtifactKind,
  InstanceStatus,
  OrderStatus,
  ProposalStatus,
  RunStatus,
  type Run,
} from '@ameide/proto';
import { createAmeideClient, isAmeideError, type AmeideClient } from '@ameide/sdk';
import {
  createEphemeralDevIdentity,
  DEV_ISSUER,
  loadOrCreateDevIdentity,
  type DevIdentity,
} from '@ameide/server';
import { createTestDatabase, type TestDatabase } from '@ameide/testing';
import { runCli } from './cli-harness.js';
import { blankAmeideEnv, serve, until, type Served } from './serve-harness.js';

const code = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (isAmeideError(e) ? e.code : String(e)),
  );

let dir: string;
let testDb: TestDatabase;
let identity: DevIdentity;
let jwksServer: Server;
const running: Served[] = [];
let sales: Served;
let transformation: Served;

const client = (served: Served, token: string): AmeideClient =>
  createAmeideClient({ baseUrl: served.url, token });
const tokenFor = (tenantId: string, userId = `${tenantId}-user`) =>
  identity.signToken({ tenantId, userId, groups: ['sales'] });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ameide-serve-e2e-'));
  testDb = await createTestDatabase('serve-e2e');
  // A dev key on disk: the worker signs with it, the services trust its JWKS.
  identity = await loadOrCreateDevIdentity(dir);
  await writeFile(join(dir, 'jwks.json'), JSON.stringify(identity.jwks));
  jwksServer = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(identity.jwks));
  });
  await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
  const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as { port: number }).port}/jwks.json`;
  // Sales from flags, with the production verifier path (a JWKS URL); transformation from
  // the environment, with a JWKS file.
  [sales, transformation] = await Promise.all([
    serve('sales', [
      '--postgres-url',
      testDb.url,
      '--token-issuer',
      DEV_ISSUER,
      '--jwks-url',
      jwksUrl,
    ]),
    serve('transformation', [], {
      AMEIDE_POSTGRES_URL: testDb.url,
      AMEIDE_TOKEN_ISSUER: DEV_ISSUER,
      AMEIDE_JWKS_FILE: join(dir, 'jwks.json'),
    }),
  ]);
  running.push(sales, transformation);
}, 180_000);

afterAll(async () => {
  await Promise.all(running.map((s) => s.stop('SIGKILL')));
  await new Promise((r) => jwksServer?.close(r));
  await testDb?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('ameide serve: one primitive per process', () => {
  it('serves sales and transformation from separate processes, each its own RPCs, with probes and JSON logs', async () => {
    for (const s of [sales, transformation]) {
      const health = await fetch(`${s.url}/healthz`);
      expect(health.status).toBe(200);
      const ready = await fetch(`${s.url}/readyz`);
      expect(await ready.json()).toEqual({ status: 'ready' });
    }
    const acme = await tokenFor('acme');
    const created = await client(sales, acme).customers.createCustomer({
      name: 'Acme Buyer',
      email: 'buyer@acme.example',
      creditLimit: { currency: 'EUR', amountMinor: 1_000_000n },
    });
    const listed = await client(sales, acme).customers.listCustomers({ pageSize: 10 });
    expect(listed.customers.map((c) => c.customerId)).toEqual([created.customer!.customerId]);
    const other = await client(sales, await tokenFor('globex')).customers.listCustomers({
      pageSize: 10,
    });
    expect(other.customers).toEqual([]);

    const { artifact } = await client(transformation, acme).transformation.createArtifact({
      kind: ArtifactKind.DOCUMENT,
      name: 'Refund policy',
      contentType: 'text/markdown',
      content: new TextEncoder().encode('# Refund policy'),
    });
    expect(artifact?.name).toBe('Refund policy');
    // Each process serves its own primitive only.
    expect(await code(client(sales, acme).transformation.listArtifacts({}))).toBe('unimplemented');
    expect(await code(client(transformation, acme).orders.listOrders({}))).toBe('unimplemented');
    // Tokens of another key are refused.
    const stranger = await createEphemeralDevIdentity();
    const forged = await stranger.signToken({ tenantId: 'acme', userId: 'mallory' });
    expect(await code(client(sales, forged).customers.listCustomers({}))).toBe('unauthenticated');

    for (const s of [sales, transformation]) {
      const lines = s.stdout().trim().split('\n');
      const logs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(logs.every((l) => l['primitive_name'] === s.primitive)).toBe(true);
      expect(logs.map((l) => l['msg'])).toContain('primitive ready');
    }
  });

  it('runs order-to-cash with ProcessService and the process worker as processes of their own', async () => {
    const taskQueue = `serve-e2e-${randomUUID()}`;
    const temporal = ['--temporal-address', inject('temporalAddress'), '--task-queue', taskQueue];
    const [processService, worker] = await Promise.all([
      serve('process', [
        ...temporal,
        '--postgres-url',
        testDb.url,
        '--token-issuer',
        DEV_ISSUER,
        '--jwks-file',
        join(dir, 'jwks.json'),
      ]),
      serve('process-worker', [
        ...temporal,
        '--postgres-url',
        testDb.url,
        '--signing-key-file',
        join(dir, 'dev-signing-key.json'),
        '--service-url',
        `ameide.sales.=${sales.url}`,
      ]),
    ]);
    running.push(processService, worker);
    expect(await (await fetch(`${worker.url}/readyz`)).json()).toEqual({ status: 'ready' });

    const token = await tokenFor('o2c', 'alice');
    const xml = await readFile(
      new URL('../../../../examples/processes/order-to-cash.bpmn', import.meta.url),
    );
    const imported = await client(transformation, token).transformation.importBpmn({ xml });
    const { artifact } = await client(transformation, token).transformation.createArtifact({
      kind: ArtifactKind.PROCESS_DEFINITION,
      name: 'order-to-cash',
      contentType: 'application/json',
      content: imported.definition,
    });
    await client(transformation, token).transformation.publishArtifact({
      artifactId: artifact!.id,
    });
    const { customer } = await client(sales, token).customers.createCustomer({
      name: 'O2C Buyer',
      email: 'buyer@o2c.example',
      creditLimit: { currency: 'EUR', amountMinor: 1_000_000n },
    });

    const processes = client(processService, token).process;
    const { instanceId } = await processes.startProcess({
      definition: { case: 'definitionName', value: 'order-to-cash' },
      businessKey: 'PO-1',
      variables: {
        customerId: customer!.customerId,
        currency: 'EUR',
        sku: 'SKU-1',
        quantity: 2,
        unitPriceMinor: 1250,
        paymentReference: 'PAY-1',
      },
    });
    const task = await until('the approval task', async () => {
      const { tasks } = await processes.listUserTasks({});
      return tasks.find((t) => t.instanceId === instanceId);
    });
    await processes.completeUserTask({
      instanceId,
      taskId: task.taskId,
      data: { approved: true },
    });
    const instance = await until('the instance to complete', async () => {
      const { instance } = await processes.getProcessInstance({ instanceId });
      return instance?.status === InstanceStatus.COMPLETED ? instance : undefined;
    });
    const { order } = await client(sales, token).orders.getOrder({
      orderId: instance.variables?.['orderId'] as string,
    });
    expect(order?.status).toBe(OrderStatus.FULFILLED);
    expect(order?.paid?.amountMinor).toBe(2500n);

    // ProcessService keeps the Temporal Schedule of a timer start event in step with publishing.
    const daily = await client(transformation, token).transformation.importBpmn({
      xml: await readFile(
        new URL('../../../../examples/processes/daily-order-review.bpmn', import.meta.url),
      ),
    });
    const { artifact: review } = await client(transformation, token).transformation.createArtifact({
      kind: ArtifactKind.PROCESS_DEFINITION,
      name: 'daily-order-review',
      contentType: 'application/json',
      content: daily.definition,
    });
    await client(transformation, token).transformation.publishArtifact({
      artifactId: review!.id,
    });
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    try {
      const handle = new Client({ connection }).schedule.getHandle(
        `ameide-start:o2c:${review!.id}:StartEvent_Daily`,
      );
      const described = await until('the schedule of the timer start', () =>
        handle.describe().then(
          (d) => (d.state.note === 'daily-order-review version 1' ? d : undefined),
          (err: unknown) => {
            if (err instanceof ScheduleNotFoundError) return undefined;
            throw err;
          },
        ),
      );
      expect(described.spec.intervals?.[0]?.every).toBe(86_400_000);
      expect(described.action.type === 'startWorkflow' && described.action.taskQueue).toBe(
        taskQueue,
      );
    } finally {
      await connection.close();
    }
  }, 240_000);

  it('serves EventService and relays the sales outbox to NATS from processes of their own', async () => {
    const [events, relay] = await Promise.all([
      serve('events', [
        '--postgres-url',
        testDb.url,
        '--token-issuer',
        DEV_ISSUER,
        '--jwks-file',
        join(dir, 'jwks.json'),
      ]),
      serve('relay', ['--postgres-url', testDb.url, '--nats-url', inject('natsUrl')]),
    ]);
    running.push(events, relay);
    const token = await tokenFor('o2c', 'alice');
    const types: string[] = [];
    for await (const r of client(events, token).events.tailEvents({
      domain: 'sales',
      type: 'sales.order.*',
    }))
      types.push(r.event!.type);
    expect(types).toContain('sales.order.fulfilled.v1');
    // The relay checkpoints what JetStream acknowledged: everything in the outbox.
    const db = createPgDatabase({ url: testDb.url, pool: { max: 1 } });
    try {
      await until('the relay to publish the whole outbox', async () => {
        const { rows } = await db.query<{ behind: boolean }>(
          `SELECT EXISTS (SELECT 1 FROM sales.outbox o WHERE NOT EXISTS (
             SELECT 1 FROM sales.relay_progress p WHERE p.relay = 'sales'
               AND (o.transaction_id, o.seq) <= (p.transaction_id, p.seq))) AS behind`,
        );
        return rows[0]?.behind === false ? true : undefined;
      });
    } finally {
      await db.close();
    }
  }, 180_000);

  it('serves one agent from a process of its own: its tool grants hold, proposals apply through sales', async () => {
    const alice = await tokenFor('agents', 'alice');
    const { customer } = await client(sales, alice).customers.createCustomer({
      name: 'Agent Buyer',
      email: 'buyer@agents.example',
      creditLimit: { currency: 'EUR', amountMinor: 1_000_000n },
    });
    const customerId = customer!.customerId;
    // A scripted model (the definition's own script), reading, calling an ungranted method, proposing.
    const definition = {
      schemaVersion: 1,
      name: 'order-helper',
      description: 'Reads a customer and proposes an order.',
      model: {
        provider: 'scripted',
        name: 'scripted',
        parameters: {
          script: [
            { toolCalls: [{ name: 'get_customer', args: { customerId } }] },
            { toolCalls: [{ name: 'list_orders', args: { pageSize: 1 } }] },
            { toolCalls: [{ name: 'propose_order', args: { customerId, currency: 'EUR' } }] },
            { answer: 'Proposed an order.' },
          ],
        },
      },
      systemPrompt: 'Read the customer, then propose an order.',
      tools: [
        { name: 'get_customer', rpc: 'ameide.sales.v1.CustomerService/GetCustomer', risk: 'read' },
        { name: 'list_orders', rpc: 'ameide.sales.v1.OrderService/ListOrders', risk: 'read' },
        { name: 'propose_order', rpc: 'ameide.sales.v1.OrderService/CreateOrder', risk: 'propose' },
      ],
      graph: { kind: 'react' },
      scope: { services: ['ameide.sales.v1.CustomerService', 'ameide.sales.v1.OrderService'] },
      policy: { allowAct: false, approverGroup: 'sales-managers' },
      limits: { maxSteps: 6, maxToolCalls: 4, tokenBudget: 6000, timeoutMs: 60000 },
    };
    const { artifact } = await client(transformation, alice).transformation.createArtifact({
      kind: ArtifactKind.AGENT_DEFINITION,
      name: definition.name,
      contentType: 'application/json',
      content: new TextEncoder().encode(JSON.stringify(definition)),
    });
    await client(transformation, alice).transformation.publishArtifact({
      artifactId: artifact!.id,
    });
    // What the operator mounts from the Agent resource: the granted methods (no ListOrders).
    const grants = join(dir, 'tools.json');
    await writeFile(
      grants,
      JSON.stringify({
        agent: 'order-helper',
        allowedMethods: [
          'ameide.sales.v1.CustomerService/GetCustomer',
          'ameide.sales.v1.OrderService/CreateOrder',
        ],
      }),
    );
    const agents = await serve('agents', ['--no-reviews'], {
      AMEIDE_POSTGRES_URL: testDb.url,
      AMEIDE_TOKEN_ISSUER: DEV_ISSUER,
      AMEIDE_JWKS_FILE: join(dir, 'jwks.json'),
      AMEIDE_SIGNING_KEY_FILE: join(dir, 'dev-signing-key.json'),
      AMEIDE_SERVICE_URLS: `ameide.sales.=${sales.url}`,
      AMEIDE_AGENT_DEFINITION: 'order-helper',
      AMEIDE_AGENT_DEFINITION_VERSION: '1',
      AMEIDE_TOOL_GRANTS_FILE: grants,
    });
    running.push(agents);
    const served = client(agents, alice).agents;
    let run: Run | undefined;
    for await (const r of served.runAgent({ agent: 'order-helper', input: 'Order for the buyer' }))
      if (r.event.case === 'run') run = r.event.value;
    expect(run?.status).toBe(RunStatus.COMPLETED);
    expect(run?.toolCalls.map((c) => `${c.tool}:${c.outcome}:${c.errorCode}`)).toEqual([
      'get_customer:result:',
      'list_orders:error:permission_denied',
      'propose_order:proposed:',
    ]);
    expect(run?.toolCalls[1]?.error).toContain('is not among the methods this agent was granted');
    const other = await code(
      (async () => {
        for await (const _ of served.runAgent({ agent: 'order-assistant', input: 'x' })) void _;
      })(),
    );
    expect(other).toBe('failed_precondition');
    const sandbox = await code(
      (async () => {
        for await (const _ of served.runSandbox({ agent: 'order-helper', input: 'x' })) void _;
      })(),
    );
    expect(sandbox).toBe('unimplemented');

    const proposalId = run!.proposalIds[0]!;
    const bob = client(
      agents,
      await identity.signToken({ tenantId: 'agents', userId: 'bob', groups: ['sales-managers'] }),
    );
    await bob.agents.decideProposal({ proposalId, approve: true });
    const { proposal } = await bob.agents.applyProposal({ proposalId });
    expect(proposal?.status).toBe(ProposalStatus.APPLIED);
    const { orders } = await client(sales, alice).orders.listOrders({ pageSize: 10 });
    expect(orders.filter((o) => o.customerId === customerId)).toHaveLength(1);
  }, 180_000);

  it('names what a primitive needs when it is missing, and exits 1', async () => {
    const noDb = await runCli(['serve', 'sales'], { env: blankAmeideEnv() });
    expect(noDb.code).toBe(1);
    expect(noDb.stderr).toContain('ameide serve sales needs --postgres-url or AMEIDE_POSTGRES_URL');
    expect(noDb.stderr).toContain('--token-issuer or AMEIDE_TOKEN_ISSUER');
    const worker = await runCli(['serve', 'process-worker', '--postgres-url', testDb.url], {
      env: blankAmeideEnv(),
    });
    expect(worker.code).toBe(1);
    expect(worker.stderr).toContain('--temporal-address or AMEIDE_TEMPORAL_ADDRESS');
    expect(worker.stderr).toContain('--signing-key-file or AMEIDE_SIGNING_KEY_FILE');
    expect(worker.stderr).toContain('--service-url or AMEIDE_SERVICE_URLS');
    const help = await runCli(['serve', '--help']);
    expect(help.stdout).toContain('process-worker');
    expect(help.stdout).toContain('/readyz');
  });

  it('drains on SIGTERM and exits 0', async () => {
    const codes = await Promise.all(running.map((s) => s.stop('SIGTERM')));
    expect(codes).toEqual(running.map(() => 0));
    for (const s of running) expect(s.stdout()).toContain('"msg":"stopped"');
  }, 60_000);
});
