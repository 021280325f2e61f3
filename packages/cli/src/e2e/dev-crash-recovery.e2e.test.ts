import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InstanceStatus, OrderStatus } from '@ameide/proto';
import { createAmeideClient, type AmeideClient } from '@ameide/sdk';
import { runCli, startDev, type DevPlatform } from './cli-harness.js';

const INSTANCES = 20;

/** Every descendant of `pid` (children first found, then theirs). */
function descendants(pid: number): number[] {
  const table = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number) as [number, number]);
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of table)
      if (parent === p) {
        out.push(child);
        walk(child);
      }
  };
  walk(pid);
  return out;
}

/** SIGKILLs `ameide dev` and everything it started (temporal), all at once, as a power cut would. */
async function killTree(dev: DevPlatform): Promise<void> {
  const pid = dev.child.pid!;
  const tree = [pid, ...descendants(pid)];
  const exited = new Promise((r) => dev.child.once('exit', r));
  for (const p of tree) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await exited;
  // Wait until the kernel has reaped the others too (temporal holds the SQLite file and port).
  for (let i = 0; i < 100 && tree.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  ms = 180_000,
  explain: () => Promise<string> = () => Promise.resolve(''),
) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${await explain()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface TailedEvent {
  eventId: string;
  tenantId: string;
  type: string;
  aggregateType: string;
  aggregateId: string;
  aggregateVersion: string;
}

describe('ameide dev: crash recovery', () => {
  let home: string;
  let dev: DevPlatform;
  let token: string;
  let client: AmeideClient;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'ameide-crash-e2e-'));
    dev = await startDev(home, [], { readyTimeoutMs: 120_000 });
    const t = await runCli([
      '--home',
      home,
      'token',
      '--tenant',
      'demo',
      '--user',
      'alice',
      '--groups',
      'sales',
    ]);
    expect(t.code, t.stderr).toBe(0);
    token = t.stdout.trim();
    client = createAmeideClient({ baseUrl: dev.url, token });
  });
  afterAll(async () => {
    if (dev && dev.child.exitCode === null && dev.child.signalCode === null) await killTree(dev);
    await rm(home, { recursive: true, force: true });
  });

  it('completes every instance exactly once after the whole tree is SIGKILLed twice mid-flight', async () => {
    const customer = (await client.customers.listCustomers({ pageSize: 1 })).customers[0]!;
    const started: string[] = [];
    // What each instance is doing, and the platform's output, for a failure message.
    const explain = async () => {
      const lines: string[] = [];
      for (const id of started) {
        const r = await client.process
          .getProcessInstance({ instanceId: id })
          .catch((e: unknown) => e);
        if (r instanceof Error) lines.push(`${id}: ${r.message}`);
        else {
          const i = (r as { instance?: { status: number; audit: unknown[] } }).instance;
          lines.push(
            `${id}: status ${i?.status} last ${JSON.stringify(i?.audit.slice(-2), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`,
          );
        }
      }
      return `${lines.join('\n')}\n--- ameide dev output (tail) ---\n${dev.output().slice(-4000)}`;
    };
    for (let i = 0; i < INSTANCES; i++) {
      const res = await client.process.startProcess({
        definition: { case: 'definitionName', value: 'order-to-cash' },
        businessKey: `crash-${i}`,
        variables: {
          customerId: customer.customerId,
          currency: 'EUR',
          sku: `SKU-${i}`,
          quantity: 1 + (i % 3),
          unitPriceMinor: 1000,
          paymentReference: `crash-pay-${i}`,
        },
      });
      started.push(res.instanceId);
    }
    // Crash 1: while the first activities (create order, add line, confirm) are in flight.
    await until('some orders to exist', async () => {
      const { orders } = await client.orders.listOrders({ pageSize: 200 });
      return orders.length >= 3 ? true : undefined;
    });
    await killTree(dev);

    dev = await startDev(home, [], { readyTimeoutMs: 120_000 });
    client = createAmeideClient({ baseUrl: dev.url, token });
    const tasks = await until(
      'every approval task',
      async () => {
        const { tasks } = await client.process.listUserTasks({});
        const mine = tasks.filter((t) => started.includes(t.instanceId));
        return mine.length === INSTANCES ? mine : undefined;
      },
      180_000,
      explain,
    );
    for (const t of tasks) {
      await client.process.completeUserTask({
        instanceId: t.instanceId,
        taskId: t.taskId,
        data: { approved: true },
      });
    }
    // Crash 2: while payments and fulfilments are in flight.
    await until('some payments', async () => {
      const { orders } = await client.orders.listOrders({ pageSize: 200 });
      return orders.some((o) => o.status === OrderStatus.PAID || o.status === OrderStatus.FULFILLED)
        ? true
        : undefined;
    });
    await killTree(dev);

    dev = await startDev(home, [], { readyTimeoutMs: 120_000 });
    client = createAmeideClient({ baseUrl: dev.url, token });
    const orderIds: string[] = [];
    for (const id of started) {
      const instance = await until(`instance ${id} to complete`, async () => {
        const { instance } = await client.process.getProcessInstance({ instanceId: id });
        if (instance?.status === InstanceStatus.FAILED)
          throw new Error(`instance ${id} failed: ${JSON.stringify(instance.audit.at(-1))}`);
        return instance?.status === InstanceStatus.COMPLETED ? instance : undefined;
      });
      orderIds.push(instance.variables?.['orderId'] as string);
    }

    // Every order exists exactly once, fully paid once, fulfilled.
    expect(new Set(orderIds).size).toBe(INSTANCES);
    const { orders } = await client.orders.listOrders({ pageSize: 200 });
    expect(orders).toHaveLength(INSTANCES);
    expect(new Set(orders.map((o) => o.orderId))).toEqual(new Set(orderIds));
    for (const o of orders) {
      expect(o.status).toBe(OrderStatus.FULFILLED);
      expect(o.lines).toHaveLength(1);
      expect(o.paid?.amountMinor).toBe(o.total?.amountMinor);
    }

    // The log: unique event ids, gap-free versions per aggregate, one of each order event.
    const tail = await runCli([
      'events',
      'tail',
      '--from',
      'start',
      '--no-follow',
      '--json',
      '--url',
      dev.url,
      '--token',
      token,
    ]);
    expect(tail.code, tail.stderr).toBe(0);
    const events = tail.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as TailedEvent);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    const versions = new Map<string, number[]>();
    for (const e of events) {
      const k = `${e.aggregateType}/${e.aggregateId}`;
      versions.set(k, [...(versions.get(k) ?? []), Number(e.aggregateVersion)]);
    }
    for (const [aggregate, vs] of versions) expect(vs, aggregate).toEqual(vs.map((_, i) => i + 1));
    for (const orderId of orderIds) {
      const types = events.filter((e) => e.aggregateId === orderId).map((e) => e.type);
      expect(types, orderId).toEqual([
        'sales.order.created.v1',
        'sales.order.line_added.v1',
        'sales.order.confirmed.v1',
        'sales.order.payment_recorded.v1',
        'sales.order.paid.v1',
        'sales.order.fulfilled.v1',
      ]);
    }
  }, 600_000);
});
