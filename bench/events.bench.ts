import { setTimeout as sleep } from 'node:timers/promises';
import {
  appendToOutbox,
  createNatsTransport,
  createRelay,
  ensureRelayRole,
  eventTablesMigration,
  newEventId,
  type EventEnvelope,
} from '@ameide/events';
import {
  createPgDatabase,
  createPgliteDatabase,
  ensureAppRole,
  migrate,
  migratePlatform,
  withTenant,
  type Database,
} from '@ameide/persistence';
import { createSalesDomain, migrateSales, type SalesDomain } from '@ameide/sales';
import { startNatsServer } from '@ameide/launch';
import { compare, median, report } from './lib/measure.js';
import { benchPostgres } from './lib/postgres.js';

/**
 * The domain kit and event plumbing:
 * (a) a sales command (add or remove an order line) through the unit of work
 *     (state + outbox rows in one transaction) vs the order store's state SQL
 *     without the outbox (and vs a narrower read and write of lines and
 *     version only, the baseline this benchmark had first), same Postgres,
 *     same concurrency;
 * (b) the relay draining a backlog to JetStream vs publishing as many
 *     envelopes to JetStream directly (same in-flight window, alternating
 *     rounds), and commit-to-publish latency at a steady load (the relay woken
 *     by the outbox's notification, default poll) vs publish-to-ack latency;
 * (c) the command path on PGlite vs on Postgres.
 */
export async function benchEvents(): Promise<void> {
  const pgServer = await benchPostgres('events');
  const nats = await startBenchNats();
  try {
    await benchCommands(pgServer.url);
    await benchRelay(pgServer.url, nats.url);
  } finally {
    await nats.stop();
    await pgServer.stop();
  }
}

const ctx = { tenantId: 'acme', correlationId: 'bench' };
const eur = (amountMinor: bigint) => ({ currency: 'EUR', amountMinor });

/** Orders that take an add, then a remove, then an add ... so rows do not grow. */
async function commandLoop(sales: SalesDomain, orders: number): Promise<() => Promise<unknown>> {
  const customer = await sales.createCustomer(ctx, {
    name: 'bench',
    email: `bench-${newEventId()}@example.com`,
    creditLimit: eur(10n ** 12n),
  });
  const ids: string[] = [];
  for (let i = 0; i < orders; i++)
    ids.push(
      (await sales.createOrder(ctx, { customerId: customer.value.customerId, currency: 'EUR' }))
        .value.orderId,
    );
  const lineOf = new Map<string, string | undefined>();
  let next = 0;
  return async () => {
    const id = ids[next++ % ids.length]!;
    const line = lineOf.get(id);
    if (line === undefined) {
      lineOf.set(id, 'pending');
      const o = await sales.addLine(ctx, id, { sku: 'SKU-1', quantity: 2, unitPrice: eur(1_99n) });
      lineOf.set(id, o.value.lines[0]!.lineId);
    } else if (line !== 'pending') {
      lineOf.set(id, 'pending');
      await sales.removeLine(ctx, id, line);
      lineOf.set(id, undefined);
    } else {
      await sales.getOrder(ctx, id);
    }
  };
}

/**
 * A command's state SQL minus the outbox, `narrow` or as the order store
 * runs it: read the row (only lines and version, or every column), write it
 * back with a version check (those columns, or every column).
 */
async function rawLoop(
  db: Database,
  sales: SalesDomain,
  orders: number,
  shape: 'narrow' | 'store',
): Promise<() => Promise<unknown>> {
  const customer = await sales.createCustomer(ctx, {
    name: 'raw',
    email: `raw-${newEventId()}@example.com`,
    creditLimit: eur(10n ** 12n),
  });
  const ids: string[] = [];
  for (let i = 0; i < orders; i++)
    ids.push(
      (await sales.createOrder(ctx, { customerId: customer.value.customerId, currency: 'EUR' }))
        .value.orderId,
    );
  let next = 0;
  const narrow = (id: string) =>
    withTenant(db, ctx, async (tx) => {
      const { rows } = await tx.query<{ lines: unknown[]; version: bigint }>(
        `SELECT lines, version FROM sales.orders WHERE order_id = $1`,
        [id],
      );
      const row = rows[0]!;
      const lines = row.lines.length
        ? []
        : [{ lineId: newEventId(), sku: 'SKU-1', quantity: 2, unitPriceMinor: '199' }];
      const r = await tx.query(
        `UPDATE sales.orders SET lines = $2::jsonb, total_minor = $3, version = $4, updated_at = now() WHERE order_id = $1 AND version = $5`,
        [id, JSON.stringify(lines), lines.length ? 398 : 0, BigInt(row.version) + 1n, row.version],
      );
      return r.rowCount === 1;
    });
  // The statements of the sales order store (load, saveStatement), minus the outbox.
  const store = (id: string) =>
    withTenant(db, ctx, async (tx) => {
      const { rows } = await tx.query<{
        customer_id: string;
        currency: string;
        status: string;
        lines: unknown[];
        paid_minor: bigint;
        payment_references: string[];
        cancel_reason: string | null;
        version: bigint;
        created_at: Date;
      }>(
        `SELECT order_id, customer_id, currency, status, lines, paid_minor, payment_references, cancel_reason, version, created_at, updated_at FROM sales.orders WHERE order_id = $1`,
        [id],
      );
      const row = rows[0]!;
      const lines = row.lines.length
        ? []
        : [{ lineId: newEventId(), sku: 'SKU-1', quantity: 2, unitPriceMinor: '199' }];
      const r = await tx.query(
        `UPDATE sales.orders SET customer_id = $2, currency = $3, status = $4, lines = $5::jsonb, total_minor = $6, paid_minor = $7,
            payment_references = $8::jsonb, cancel_reason = $9, version = $10, created_at = $11, updated_at = $12
          WHERE order_id = $1 AND version = $13 RETURNING 1`,
        [
          id,
          row.customer_id,
          row.currency,
          row.status,
          JSON.stringify(lines),
          lines.length ? 398n : 0n,
          BigInt(row.paid_minor),
          JSON.stringify(row.payment_references),
          row.cancel_reason,
          BigInt(row.version) + 1n,
          row.created_at,
          new Date(),
          BigInt(row.version),
        ],
      );
      return r.rowCount === 1;
    });
  const once = shape === 'narrow' ? narrow : store;
  // Retries a lost race like the unit of work does.
  return async () => {
    const id = ids[next++ % ids.length]!;
    while (!(await once(id)));
  };
}

async function benchCommands(url: string): Promise<void> {
  const db = createPgDatabase({ url, pool: { max: 8 } });
  const lite = await createPgliteDatabase();
  try {
    await migrateSales(db);
    await migrateSales(lite);
    const sales = createSalesDomain({ db });
    const withOutbox = await commandLoop(sales, 512);
    const sameSql = await rawLoop(db, sales, 512, 'store');
    const r = await compare(sameSql, withOutbox, { opsPerRound: 800, concurrency: 8 });
    report(
      'order command, same SQL without outbox',
      r.baseline.opsPerSec,
      'commands/s',
      1,
      'itself',
    );
    report(
      'order command through the unit of work (state + outbox)',
      r.candidate.opsPerSec,
      'commands/s',
      1 / r.timeRatio,
      'same SQL without outbox (throughput ratio; goal >= 0.8)',
    );
    // The baseline as it was first written: only lines and version read and written.
    const narrow = await rawLoop(db, sales, 512, 'narrow');
    const n = await compare(narrow, withOutbox, { opsPerRound: 800, concurrency: 8 });
    report(
      'order command through the unit of work (state + outbox)',
      n.candidate.opsPerSec,
      'commands/s',
      1 / n.timeRatio,
      'lines and version only, without outbox (throughput ratio)',
    );

    const onLite = await commandLoop(createSalesDomain({ db: lite }), 64);
    const onPg = await commandLoop(sales, 512);
    const l = await compare(onPg, onLite, { opsPerRound: 400, concurrency: 1, rounds: 5 });
    report(
      'order command on Postgres, 1 at a time',
      l.baseline.opsPerSec,
      'commands/s',
      1,
      'itself',
    );
    report(
      'order command on PGlite, 1 at a time',
      l.candidate.opsPerSec,
      'commands/s',
      1 / l.timeRatio,
      'Postgres (throughput ratio)',
    );
  } finally {
    await lite.close();
    await db.close();
  }
}

function envelopes(n: number, aggregatePrefix = 't-'): EventEnvelope[] {
  return Array.from({ length: n }, (_, i) => ({
    eventId: newEventId(),
    tenantId: i % 2 ? 'acme' : 'globex',
    domain: 'bench',
    aggregateType: 'thing',
    aggregateId: `${aggregatePrefix}${i % 500}`,
    aggregateVersion: BigInt(Math.floor(i / 500) + 1),
    type: 'bench.thing.happened.v1',
    schemaVersion: 1,
    occurredAt: new Date(),
    correlationId: 'bench',
    causationId: undefined,
    payload: { i, note: 'a payload of a typical size for a domain event, with a few fields' },
  }));
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function benchRelay(url: string, natsUrl: string): Promise<void> {
  const db = createPgDatabase({ url, pool: { max: 8 } });
  await ensureAppRole(db);
  await ensureRelayRole(db);
  await migratePlatform(db);
  await migrate(db, {
    schema: 'bench',
    migrations: [{ version: 1, name: 'none', sql: 'SELECT 1;' }, eventTablesMigration('bench', 2)],
  });
  const transport = await createNatsTransport({
    servers: natsUrl,
    stream: 'BENCH_RELAY',
    subjectPrefix: 'benchrelay',
  });
  const direct = await createNatsTransport({
    servers: natsUrl,
    stream: 'BENCH_DIRECT',
    subjectPrefix: 'benchdirect',
  });
  const relayDb = createPgDatabase({ url, pool: { max: 1 } });
  try {
    // Throughput: drain a backlog vs publish as many envelopes directly, in
    // alternating rounds (the first warms up), medians of both.
    const n = 5_000;
    const rounds = 5;
    const relay = createRelay({
      db: relayDb,
      domain: 'bench',
      publisher: transport.publisher!,
      batchSize: 1000,
    });
    const drain = async (round: number): Promise<number> => {
      const backlog = envelopes(n, `drain-${round}-`);
      for (const tenantId of ['acme', 'globex']) {
        const mine = backlog.filter((e) => e.tenantId === tenantId);
        for (let i = 0; i < mine.length; i += 500)
          await withTenant(db, { tenantId }, (tx) =>
            appendToOutbox(tx, 'bench', mine.slice(i, i + 500)),
          );
      }
      const started = performance.now();
      let published = 0;
      while (published < n) published += (await relay.runOnce()).published;
      return performance.now() - started;
    };
    const publishDirect = async (round: number): Promise<number> => {
      const again = envelopes(n, `direct-${round}-`);
      const started = performance.now();
      for (let i = 0; i < n; i += 1000) await direct.publisher!.publish(again.slice(i, i + 1000));
      return performance.now() - started;
    };
    const relayRounds: number[] = [];
    const directRounds: number[] = [];
    for (let round = 0; round <= rounds; round++) {
      let relayMs: number;
      let directMs: number;
      if (round % 2) {
        relayMs = await drain(round);
        directMs = await publishDirect(round);
      } else {
        directMs = await publishDirect(round);
        relayMs = await drain(round);
      }
      if (round > 0) {
        relayRounds.push(relayMs);
        directRounds.push(directMs);
      }
    }
    const relayMs = median(relayRounds);
    const directMs = median(directRounds);
    report(
      'JetStream publish, direct (msgID, 256 in flight)',
      (n / directMs) * 1000,
      'events/s',
      1,
      'itself',
    );
    report(
      'relay: outbox -> JetStream, backlog drain',
      (n / relayMs) * 1000,
      'events/s',
      directMs / relayMs,
      'direct publish (throughput ratio; goal >= 0.85)',
    );

    // Latency at a steady load: 1,000 events/s in commits of 10, for 5 s,
    // each commit followed by a direct publish of 10 events, so the baseline
    // sees the same moments of a shared machine. Relay latency runs to the
    // broker's ack, from the writer's COMMIT being acknowledged, and from
    // before its BEGIN (the writer's own transaction included). Profiled
    // (Dec 2026, p50s): writer transaction 1.45 ms, commit to the relay's
    // wake-up 0.04 ms, its lease-and-read round trip 0.75 ms, batch to
    // envelopes 0.11 ms, JetStream publish of the 10 to their acks 1.47 ms
    // (the direct baseline: 1.42 ms).
    const latencies: number[] = [];
    const fromCommit: number[] = [];
    const writerTx: number[] = [];
    const startedAt = new Map<string, number>();
    const committedAt = new Map<string, number>();
    const steady = createRelay({
      db: relayDb,
      domain: 'bench',
      publisher: transport.publisher!,
      onPublished: (events) => {
        const now = performance.now();
        for (const e of events) {
          const t = startedAt.get(e.eventId);
          if (t !== undefined) latencies.push(now - t);
          const c = committedAt.get(e.eventId);
          if (c !== undefined) fromCommit.push(now - c);
        }
      },
    });
    steady.start();
    const direct1: number[] = [];
    const tickMs = 10;
    let tick = performance.now();
    const until = tick + 5_000;
    while (performance.now() < until) {
      const batch = envelopes(10).map((e) => ({
        ...e,
        tenantId: 'acme',
        aggregateId: newEventId(),
        aggregateVersion: 1n,
        occurredAt: new Date(),
      }));
      const t = performance.now();
      for (const e of batch) startedAt.set(e.eventId, t);
      await withTenant(db, { tenantId: 'acme' }, (tx) => appendToOutbox(tx, 'bench', batch));
      // The writer has its COMMIT acknowledged here (the relay may be woken a little earlier).
      const c = performance.now();
      writerTx.push(c - t);
      for (const e of batch) committedAt.set(e.eventId, c);
      await sleep(Math.max(0, tick + tickMs / 2 - performance.now()));
      const d = performance.now();
      await direct.publisher!.publish(envelopes(10));
      direct1.push(performance.now() - d);
      tick += tickMs;
      await sleep(Math.max(0, tick - performance.now()));
    }
    await sleep(200);
    await steady.stop();
    latencies.sort((a, b) => a - b);
    fromCommit.sort((a, b) => a - b);
    writerTx.sort((a, b) => a - b);
    direct1.sort((a, b) => a - b);
    report('direct publish-to-ack latency p50', percentile(direct1, 50), 'ms', 1, 'itself');
    report('direct publish-to-ack latency p99', percentile(direct1, 99), 'ms', 1, 'itself');
    report(
      "writer's transaction (BEGIN to COMMIT acknowledged) p50",
      percentile(writerTx, 50),
      'ms',
      percentile(writerTx, 50) / Math.max(0.01, percentile(direct1, 50)),
      'direct p50 (time ratio)',
    );
    report(
      'relay latency from COMMIT acknowledged to broker ack p50 (1,000 events/s)',
      percentile(fromCommit, 50),
      'ms',
      percentile(fromCommit, 50) / Math.max(0.01, percentile(direct1, 50)),
      'direct p50 (time ratio; goal <= 1.5 ms)',
    );
    report(
      'relay latency from COMMIT acknowledged to broker ack p99 (1,000 events/s)',
      percentile(fromCommit, 99),
      'ms',
      percentile(fromCommit, 99) / Math.max(0.01, percentile(direct1, 99)),
      'direct p99 (time ratio)',
    );
    report(
      "relay latency from the writer's BEGIN to broker ack p50 (1,000 events/s)",
      percentile(latencies, 50),
      'ms',
      percentile(latencies, 50) / Math.max(0.01, percentile(direct1, 50)),
      'direct p50 (time ratio)',
    );
    report(
      "relay latency from the writer's BEGIN to broker ack p99 (1,000 events/s)",
      percentile(latencies, 99),
      'ms',
      percentile(latencies, 99) / Math.max(0.01, percentile(direct1, 99)),
      'direct p99 (time ratio)',
    );
  } finally {
    await relayDb.close();
    await transport.close();
    await direct.close();
    await db.close();
  }
}

/** `AMEIDE_BENCH_NATS_URL` when set, else a throw-away JetStream server. */
async function startBenchNats(): Promise<{ url: string; stop(): Promise<void> }> {
  const external = process.env['AMEIDE_BENCH_NATS_URL'];
  if (external) return { url: external, stop: async () => {} };
  return startNatsServer();
}
