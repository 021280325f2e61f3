import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '@ameide/persistence';
import {
  appendToOutbox,
  createRelay,
  createUnitOfWork,
  newEventId,
  type EventEnvelope,
  type EventPublisher,
  type RelayCycle,
  type EventsLogger,
  type UnitOfWork,
} from '@ameide/events';
import { deposit, LEDGER } from '../testing/ledger.js';
import {
  natsTransportFor,
  openLedgerDatabase,
  type LedgerDatabase,
} from '../testing/ledger-fixture.js';

function recordingPublisher(): EventPublisher & { readonly seen: EventEnvelope[] } {
  const seen: EventEnvelope[] = [];
  return {
    seen,
    publish(events) {
      seen.push(...events);
      return Promise.resolve({ published: events.length, duplicates: 0 });
    },
  };
}

function capturingLogger(): EventsLogger & { readonly warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    info: () => {},
    error: () => {},
    warn: (_d, message) => warnings.push(message),
  };
}

const envelope = (tenantId: string, aggregateId: string): EventEnvelope => ({
  eventId: newEventId(),
  tenantId,
  domain: 'ledger',
  aggregateType: 'account',
  aggregateId,
  aggregateVersion: 1n,
  type: 'ledger.account.opened.v1',
  schemaVersion: 1,
  occurredAt: new Date(),
  correlationId: 'c',
  causationId: undefined,
  payload: {},
});

/** Opens a transaction that appends one event and stays open until `commit()` resolves it. */
function holdOpen(
  ledger: LedgerDatabase,
  event: EventEnvelope,
): { written: Promise<void>; commit(): Promise<void> } {
  let release!: () => void;
  let written!: () => void;
  const writtenP = new Promise<void>((r) => (written = r));
  const gate = new Promise<void>((r) => (release = r));
  const db = ledger.connect(1);
  const done = withTenant(db, { tenantId: event.tenantId }, async (tx) => {
    await appendToOutbox(tx, LEDGER, [event]);
    written();
    await gate;
  });
  return {
    written: writtenP,
    async commit() {
      release();
      await done;
    },
  };
}

describe('relay (postgres)', () => {
  let ledger: LedgerDatabase;
  let uow: UnitOfWork;
  beforeAll(async () => {
    ledger = await openLedgerDatabase('postgres', 'relay', { ownServer: true });
    uow = createUnitOfWork({ db: ledger.db, domain: 'ledger' });
  });
  afterAll(() => ledger.close());

  it('does not skip an event whose transaction started first but committed last, and reports the stall', async () => {
    const publisher = recordingPublisher();
    const logger = capturingLogger();
    const relay = createRelay({
      db: ledger.connect(1),
      domain: 'ledger',
      name: 'ordering',
      publisher,
      stallAfterMs: 0,
      logger,
    });
    const early = envelope('acme', 'early');
    const held = holdOpen(ledger, early); // takes the lower transaction id and sequence value
    await held.written;
    const later = await deposit(uow, 'globex', 'later', 1); // commits first
    await relay.runOnce();
    expect(publisher.seen).toEqual([]);
    expect(relay.status()).toMatchObject({ active: true, heldBack: 2 });
    expect(logger.warnings.some((w) => /long-open transaction/.test(w))).toBe(true);
    await held.commit();
    await relay.runOnce();
    expect(publisher.seen.map((e) => e.eventId)).toEqual([
      early.eventId,
      ...later.events.map((e) => e.eventId),
    ]);
    expect(relay.status()).toMatchObject({ heldBack: 0, stalledForMs: 0 });
    await relay.stop();
  });

  it('publishes every committed event exactly once under random concurrent commits, and survives a restart from its checkpoint', async () => {
    const publisher = recordingPublisher();
    const relay = createRelay({
      db: ledger.connect(1),
      domain: 'ledger',
      name: 'random',
      publisher,
      batchSize: 37,
      pollMs: 1,
    });
    relay.start();
    const writers = Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; i < 25; i++) {
        await deposit(uow, w % 2 ? 'acme' : 'globex', `r-${w}-${i % 5}`, 1);
        if (Math.random() < 0.3) await sleep(Math.random() * 5);
      }
    });
    await Promise.all(writers);
    await relay.stop();
    // A new relay process continues from the checkpoint.
    const second = createRelay({
      db: ledger.connect(1),
      domain: 'ledger',
      name: 'random',
      publisher,
      batchSize: 37,
    });
    for (let i = 0; i < 20 && (await second.runOnce()).published > 0; i++);
    const { rows } = await ledger.db.query<{ event_id: string }>(
      `SELECT event_id FROM ledger.outbox ORDER BY transaction_id, seq`,
    );
    expect(publisher.seen.map((e) => e.eventId)).toEqual(rows.map((r) => r.event_id));
    await second.stop();
  });
});

describe('two relays on one domain (postgres + NATS)', () => {
  let ledger: LedgerDatabase;
  beforeAll(async () => {
    ledger = await openLedgerDatabase('postgres', 'two_relays');
  });
  afterAll(() => ledger.close());

  it('keeps one active, takes over when it dies, loses nothing and stores each event once in the stream', async () => {
    const transport = await natsTransportFor('tworelays');
    const jsm = await jetstreamManager(transport.connection);
    const uow = createUnitOfWork({ db: ledger.db, domain: 'ledger' });
    const dbA = ledger.connect(1);
    const a = createRelay({
      db: dbA,
      domain: 'ledger',
      publisher: transport.publisher!,
      pollMs: 5,
      batchSize: 50,
    });
    const b = createRelay({
      db: ledger.connect(1),
      domain: 'ledger',
      publisher: transport.publisher!,
      pollMs: 5,
      batchSize: 50,
    });
    await a.runOnce();
    await b.runOnce();
    expect([a.status().active, b.status().active]).toEqual([true, false]);
    a.start();
    b.start();
    const write = (from: number, to: number) =>
      Promise.all(
        Array.from({ length: 10 }, async (_, w) => {
          for (let i = from; i < to; i++)
            await deposit(uow, w % 2 ? 'acme' : 'globex', `t-${w}-${i % 7}`, 1);
        }),
      );
    await write(0, 20);
    expect(a.status().active && b.status().active).toBe(false);
    // Relay A dies: its session ends, and with it the lease.
    await dbA.close();
    await write(20, 40);
    const deadline = Date.now() + 30_000;
    const total = Number(
      (await ledger.db.query<{ n: bigint }>(`SELECT count(*) AS n FROM ledger.outbox`)).rows[0]!.n,
    );
    while (Date.now() < deadline) {
      const info = await jsm.streams.info('EV_TWORELAYS');
      if (info.state.messages >= total && b.status().active) break;
      await sleep(50);
    }
    expect(b.status().active).toBe(true);
    const info = await jsm.streams.info('EV_TWORELAYS');
    expect(info.state.messages).toBe(total);
    // Every committed event id is in the stream once.
    const ids = new Set<string>();
    for (let seq = 1; seq <= info.state.messages; seq++) {
      const m = await jsm.streams.getMessage('EV_TWORELAYS', { seq });
      ids.add(m!.header?.get('Nats-Msg-Id') ?? '');
    }
    const { rows } = await ledger.db.query<{ event_id: string }>(
      `SELECT event_id FROM ledger.outbox`,
    );
    expect(ids).toEqual(new Set(rows.map((r) => r.event_id)));
    await Promise.allSettled([a.stop(), b.stop()]);
    await jsm.streams.delete('EV_TWORELAYS');
    await transport.close();
  });
});

describe.each(['postgres', 'pglite'] as const)('relay wake-up (%s)', (engine) => {
  let ledger: LedgerDatabase;
  let uow: UnitOfWork;
  beforeAll(async () => {
    ledger = await openLedgerDatabase(engine, `relay_wake_${engine}`);
    uow = createUnitOfWork({ db: ledger.db, domain: 'ledger' });
  });
  afterAll(() => ledger.close());

  const until = async (condition: () => boolean): Promise<void> => {
    for (let i = 0; i < 500 && !condition(); i++) await sleep(10);
  };

  it('publishes a commit at once instead of at its next poll, and still polls for what no one notified', async () => {
    const publisher = recordingPublisher();
    const relay = createRelay({
      db: ledger.connect(1),
      domain: 'ledger',
      name: `wake_${engine}`,
      publisher,
      pollMs: 60_000,
    });
    relay.start();
    await until(() => relay.status().active);
    const deposited = await deposit(uow, 'acme', 'woken', 5);
    const appended = envelope('globex', 'appended');
    await withTenant(ledger.db, { tenantId: 'globex' }, (tx) =>
      appendToOutbox(tx, LEDGER, [appended]),
    );
    const expected = [...deposited.events.map((e) => e.eventId), appended.eventId];
    await until(() => publisher.seen.length >= expected.length);
    // A minute-long poll has not come round: the commits' notifications woke it.
    expect(publisher.seen.map((e) => e.eventId)).toEqual(expected);
    await relay.stop();

    // A row written without a notification waits for the poll.
    const polling = createRelay({
      db: ledger.connect(1),
      domain: 'ledger',
      name: `wake_${engine}`,
      publisher,
      pollMs: 20,
      wakeOnCommit: false,
    });
    const silent = envelope('acme', 'silent');
    await withTenant(ledger.db, { tenantId: 'acme' }, (tx) =>
      tx.query(
        `INSERT INTO ledger.outbox (event_id, tenant_id, aggregate_type, aggregate_id, aggregate_version, type, schema_version, payload, correlation_id, occurred_at)
         VALUES ($1, 'acme', 'account', 'silent', 1, $2, 1, '{}', 'c', now())`,
        [silent.eventId, silent.type],
      ),
    );
    polling.start();
    await until(() => publisher.seen.length > expected.length);
    expect(publisher.seen.map((e) => e.eventId)).toEqual([...expected, silent.eventId]);
    await polling.stop();
  });
});

describe('relay lease across a lost connection (postgres)', () => {
  let ledger: LedgerDatabase;
  beforeAll(async () => {
    ledger = await openLedgerDatabase('postgres', 'relay_lease');
  });
  afterAll(() => ledger.close());

  it('takes the lease again on its new session, keeps it from others, and releases it on stop', async () => {
    const publisher = recordingPublisher();
    const a = createRelay({ db: ledger.connect(1), domain: 'ledger', publisher });
    const b = createRelay({ db: ledger.connect(1), domain: 'ledger', publisher });
    expect((await a.runOnce()).active).toBe(true);
    await ledger.db.query(
      `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND pid <> pg_backend_pid()`,
    );
    // Cycles on the dead connection fail; then one runs on a new session.
    let cycle: RelayCycle | undefined;
    for (let i = 0; i < 50 && !cycle; i++) {
      cycle = await a.runOnce().catch(() => undefined);
      if (!cycle) await sleep(20);
    }
    expect(cycle?.active).toBe(true);
    expect((await b.runOnce()).active).toBe(false);
    await a.stop();
    expect((await b.runOnce()).active).toBe(true);
    await b.stop();
  });
});
