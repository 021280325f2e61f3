import { createNatsTransport, createPostgresTransport, createRelay } from '@ameide/events';
import { createPgDatabase, type Database } from '@ameide/persistence';
import {
  createProjectionRunner,
  type ProjectionDefinition,
  type ProjectionRunner,
} from '@ameide/projections';
import { startNatsServer } from '@ameide/testing';
import { credit, migrateTally, TALLY, tallyProjection } from '@ameide/projections/testing';
import { median, report } from './lib/measure.js';
import { benchPostgres } from './lib/postgres.js';

/**
 * The Projection primitive, on one Postgres:
 * (a) a projection applying a backlog of 20,000 events (a fresh projection, from the start of the
 *     log) vs the relay publishing the same backlog to JetStream, alternating rounds;
 * (b) at a steady 1,000 events/s, commit-to-applied latency (p50/p99) of the projection vs
 *     commit-to-published latency of the relay at the same time;
 * (c) a rebuild of 100,000 events (shadow tables, swap) vs the first build of the same events.
 */
export async function benchProjections(): Promise<void> {
  const pg = await benchPostgres('projections');
  const nats = await startNatsServer();
  const db = createPgDatabase({ url: pg.url, pool: { max: 10 } });
  try {
    await migrateTally(db);
    await backlog(db, nats.url);
    await steadyLag(db, nats.url);
    await rebuild(db);
  } finally {
    await db.close();
    await nats.stop();
    await pg.stop();
  }
}

const next = new Map<string, bigint>();
let round = 0;

async function untilApplied(runner: ProjectionRunner): Promise<void> {
  await runner.catchUp(600_000);
}

/** (a) events/s applied by a fresh projection vs published by a fresh relay, same backlog. */
async function backlog(db: Database, natsUrl: string): Promise<void> {
  await credit(db, 'acme', { count: 15_000, accounts: 200, perTx: 100, next });
  await credit(db, 'globex', { count: 5_000, accounts: 50, perTx: 100, next });
  const total = 20_000;
  const project: number[] = [];
  const relayRates: number[] = [];
  for (let r = 0; r < 3; r++) {
    round++;
    const runner = createProjectionRunner({
      db,
      definition: tallyProjection(1, `bench-a${round}`),
      transport: createPostgresTransport({ db, pollMs: 10 }),
      lagIntervalMs: 0,
      batchSize: 500,
      waitMs: 50,
    });
    let t = performance.now();
    await runner.start();
    await untilApplied(runner);
    project.push(total / ((performance.now() - t) / 1000));
    await runner.stop();

    // A stream of its own per round: JetStream would drop a second round's events as duplicates.
    const transport = await createNatsTransport({
      servers: natsUrl,
      stream: `BENCH_PROJ_${round}`,
      subjectPrefix: `benchproj${round}`,
    });
    const relay = createRelay({
      db,
      domain: TALLY,
      name: `bench-relay-${round}`,
      publisher: transport.publisher!,
      batchSize: 500,
    });
    t = performance.now();
    while (relay.status().published + relay.status().duplicates < total) await relay.runOnce();
    relayRates.push(total / ((performance.now() - t) / 1000));
    await transport.close();
  }
  const p = median(project);
  const q = median(relayRates);
  report(
    'projection applying a 20,000-event backlog',
    p,
    'events/s',
    q / p,
    'relay publishing it to JetStream (time ratio)',
  );
  report('relay publishing the same backlog', q, 'events/s', 1, 'itself');
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
}

/** A definition that records, per applied event, how long after its commit it was applied. */
function timed(latencies: number[]): ProjectionDefinition {
  const base = tallyProjection(1, 'bench-lag');
  const source = base.sources[0]!;
  const handler = source.handlers['tally.account.credited.v1']!;
  return {
    ...base,
    sources: [
      {
        domain: source.domain,
        handlers: {
          'tally.account.credited.v1': async (e, state) => {
            const changes = await handler(e, state);
            latencies.push(Date.now() - e.occurredAt.getTime());
            return changes;
          },
        },
      },
    ],
  };
}

/** (b) at 1,000 events/s: the projection's commit-to-applied latency vs the relay's commit-to-published. */
async function steadyLag(db: Database, natsUrl: string): Promise<void> {
  const applied: number[] = [];
  const published: number[] = [];
  const runner = createProjectionRunner({
    db,
    definition: timed(applied),
    transport: createPostgresTransport({ db, pollMs: 10 }),
    lagIntervalMs: 0,
    waitMs: 200,
  });
  await runner.start();
  await untilApplied(runner);
  applied.length = 0;
  const transport = await createNatsTransport({
    servers: natsUrl,
    stream: 'BENCH_PROJ_LAG',
    subjectPrefix: 'benchlag',
  });
  const relay = createRelay({
    db,
    domain: TALLY,
    name: 'bench-relay-lag',
    publisher: transport.publisher!,
    onPublished: (events) => {
      const now = Date.now();
      for (const e of events) published.push(now - e.occurredAt.getTime());
    },
  });
  // Start the relay at the head of the log, then measure only the steady load.
  while ((await relay.runOnce()).published > 0);
  published.length = 0;
  relay.start();
  const seconds = 15;
  const started = Date.now();
  for (let tick = 0; tick < seconds * 50; tick++) {
    await credit(db, tick % 2 ? 'acme' : 'globex', { count: 20, accounts: 100, perTx: 20, next });
    const due = started + (tick + 1) * 20;
    await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
  }
  const rate = (seconds * 1000) / ((Date.now() - started) / 1000);
  await untilApplied(runner);
  await new Promise((r) => setTimeout(r, 500));
  await relay.stop();
  await transport.close();
  await runner.stop();
  const p99 = percentile(applied, 99);
  const r99 = percentile(published, 99);
  report(
    `projection lag p99 at ${Math.round(rate)} events/s`,
    p99,
    'ms',
    p99 / Math.max(r99, 1),
    'relay commit-to-published p99',
  );
  report(
    'projection lag p50',
    percentile(applied, 50),
    'ms',
    percentile(applied, 50) / Math.max(percentile(published, 50), 1),
    'relay p50',
  );
  report('relay commit-to-published p99', r99, 'ms', 1, 'itself');
}

/** (c) rebuild of 100,000 events vs the first build of the same log. */
async function rebuild(db: Database): Promise<void> {
  const { rows } = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${TALLY}.outbox`);
  const have = Number(rows[0]?.n ?? 0);
  const want = 100_000;
  if (have < want)
    await credit(db, 'acme', { count: want - have, accounts: 500, perTx: 200, next });
  const runner = createProjectionRunner({
    db,
    definition: tallyProjection(1, 'bench-rebuild'),
    transport: createPostgresTransport({ db, pollMs: 10 }),
    lagIntervalMs: 0,
    batchSize: 500,
    waitMs: 50,
  });
  let t = performance.now();
  await runner.start();
  await untilApplied(runner);
  const first = (performance.now() - t) / 1000;
  t = performance.now();
  await runner.rebuild();
  const info = await runner.rebuilt();
  const took = (performance.now() - t) / 1000;
  await runner.stop();
  if (info?.state !== 'swapped') throw new Error(`rebuild ${info?.state}: ${info?.error}`);
  report(
    `rebuild of ${Math.max(have, want)} events (shadow tables + swap)`,
    took,
    's',
    took / first,
    'first build of the same log',
  );
  report('first build of the same log', first, 's', 1, 'itself');
}
