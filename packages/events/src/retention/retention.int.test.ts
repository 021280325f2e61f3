import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sqlStateOf, withTenant, type Database } from '@ameide/persistence';
import {
  appendToOutbox,
  asRelayRole,
  createConsumer,
  createPostgresTransport,
  createRelay,
  createUnitOfWork,
  newEventId,
  pruneEventTables,
  startRetention,
  type EventEnvelope,
  type EventPublisher,
  type EventsLogger,
  type LogPosition,
  type PruneOptions,
  type PruneResult,
  type UnitOfWork,
} from '@ameide/events';
import { deposit, LEDGER, recordEffect } from '../testing/ledger.js';
import { openLedgerDatabase, type Engine, type LedgerDatabase } from '../testing/ledger-fixture.js';

const DAY = 24 * 3600 * 1000;
/** A clock `days` ahead of the database's: every row written so far is that old. */
const inDays = (days: number) => () => new Date(Date.now() + days * DAY);

interface LogRow {
  readonly id: string;
  readonly tenant: string;
  readonly position: LogPosition;
}

async function outboxLog(db: Database): Promise<LogRow[]> {
  const { rows } = await db.query<{ event_id: string; tenant_id: string; tx: string; seq: bigint }>(
    `SELECT event_id, tenant_id, transaction_id::text AS tx, seq FROM ledger.outbox ORDER BY transaction_id, seq`,
  );
  return rows.map((r) => ({
    id: r.event_id,
    tenant: r.tenant_id,
    position: { transactionId: BigInt(r.tx), seq: BigInt(r.seq) },
  }));
}

/** Makes the outbox rows up to `upTo` `days` old. */
async function backdateOutbox(db: Database, upTo: LogPosition, days: number): Promise<void> {
  await db.query(
    `UPDATE ledger.outbox SET recorded_at = now() - make_interval(days => $3)
      WHERE (transaction_id, seq) <= ($1::text::xid8, $2::bigint)`,
    [upTo.transactionId.toString(), upTo.seq, days],
  );
}

const ids = (rows: readonly { id: string }[]) => rows.map((r) => r.id);

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

const prune = (db: Database, options: Omit<PruneOptions, 'schema'> = {}) =>
  pruneEventTables(db, { schema: LEDGER, ...options });

async function truncate(db: Database): Promise<void> {
  await db.exec(
    `TRUNCATE ledger.outbox, ledger.relay_progress, ledger.consumer_progress, ledger.inbox,
       ledger.consumer_aggregates, ledger.dead_letters, ledger.outbox_pruned, ledger.accounts, ledger.effects`,
  );
}

describe.each<Engine>(['postgres', 'pglite'])('pruneEventTables (%s)', (engine) => {
  let ledger: LedgerDatabase;
  let uow: UnitOfWork;
  beforeAll(async () => {
    ledger = await openLedgerDatabase(engine, `retention_${engine}`, { ownServer: true });
    uow = createUnitOfWork({ db: ledger.db, domain: 'ledger' });
  });
  afterAll(() => ledger.close());
  beforeEach(() => truncate(ledger.db));

  it('deletes, in batches, only the expired rows every relay and cursor has passed; readers continue after their deleted checkpoint row', async () => {
    await deposit(uow, 'acme', 'a', 1);
    await deposit(uow, 'globex', 'g', 1);
    await deposit(uow, 'acme', 'b', 1);
    const events = await outboxLog(ledger.db);
    expect(events).toHaveLength(6);
    const relay = createRelay({
      db: ledger.connect(1),
      domain: 'ledger',
      name: 'fast',
      publisher: recordingPublisher(),
    });
    await relay.runOnce(); // relay_progress: past all six
    const consumer = createConsumer({
      name: 'slow',
      domain: 'ledger',
      transport: createPostgresTransport({ db: ledger.db }),
      db: ledger.db,
      schema: LEDGER,
      batchSize: 2,
      handle: (event, tx) => recordEffect('slow', event, tx),
    });
    expect(await consumer.runOnce()).toEqual(['processed', 'processed']); // cursor at event 2
    await backdateOutbox(ledger.db, events[4]!.position, 8); // 1-5 expired, 6 recent

    const first = await prune(ledger.db, { batchSize: 1 });
    expect(first).toMatchObject({
      outboxDeleted: 2,
      prunedThrough: events[1]!.position,
      slowest: { kind: 'consumer', name: 'slow', position: events[1]!.position },
    });
    // Event 3 is expired but the slow cursor has not passed it: kept, and reported.
    expect(first.heldBackSince).toBeInstanceOf(Date);
    expect(ids(await outboxLog(ledger.db))).toEqual(ids(events.slice(2)));

    // The cursor's checkpoint row (event 2) is gone; it reads on after it.
    expect(await consumer.runOnce()).toEqual(['processed', 'processed']);
    expect(await consumer.runOnce()).toEqual(['processed', 'processed']);
    const second = await prune(ledger.db);
    expect(second).toMatchObject({
      outboxDeleted: 3,
      prunedThrough: events[4]!.position,
      heldBackSince: undefined,
    });
    // Passed by everyone but recent: kept.
    expect(ids(await outboxLog(ledger.db))).toEqual([events[5]!.id]);
    const { rows: effects } = await ledger.db.query<{ event_id: string }>(
      `SELECT event_id FROM ledger.effects ORDER BY applied_seq`,
    );
    expect(effects.map((r) => r.event_id)).toEqual(ids(events));
    // Each tenant's last pruned position (what TailEvents checks).
    const { rows: marks } = await ledger.db.query<{ tenant_id: string; tx: string; seq: bigint }>(
      `SELECT tenant_id, transaction_id::text AS tx, seq FROM ledger.outbox_pruned ORDER BY tenant_id`,
    );
    expect(
      marks.map((m) => [m.tenant_id, { transactionId: BigInt(m.tx), seq: BigInt(m.seq) }]),
    ).toEqual([
      ['acme', events[4]!.position],
      ['globex', events[3]!.position],
    ]);
    await relay.stop();
  });

  it('prunes by age alone when no relay or cursor exists, and keeps everything while a required checkpoint is missing', async () => {
    await deposit(uow, 'acme', 'a', 1);
    await deposit(uow, 'globex', 'g', 1);
    const kept = await prune(ledger.db, {
      now: inDays(8),
      requiredCheckpoints: { relays: ['ledger'] },
    });
    expect(kept).toMatchObject({
      outboxDeleted: 0,
      outboxSkipped: 'relay "ledger" has no checkpoint yet',
    });
    expect(await outboxLog(ledger.db)).toHaveLength(4);
    expect(await prune(ledger.db, { now: inDays(6) })).toMatchObject({ outboxDeleted: 0 });
    expect(await prune(ledger.db, { now: inDays(8) })).toMatchObject({
      outboxDeleted: 4,
      slowest: undefined,
      outboxSkipped: undefined,
    });
    // A relay that starts later publishes what comes next.
    await deposit(uow, 'acme', 'a', 1);
    const publisher = recordingPublisher();
    const relay = createRelay({ db: ledger.connect(1), domain: 'ledger', publisher });
    await relay.runOnce();
    expect(publisher.seen.map((e) => e.type)).toEqual(['ledger.account.deposited.v1']);
    await relay.stop();
  });

  it('keeps inbox dedupe inside the window; beyond it the aggregate version still refuses a redelivery', async () => {
    for (let i = 0; i < 3; i++) await deposit(uow, 'acme', 'a', 1); // versions 1-4
    const consumerOf = () =>
      createConsumer({
        name: 'billing',
        domain: 'ledger',
        transport: createPostgresTransport({ db: ledger.db }),
        db: ledger.db,
        schema: LEDGER,
        handle: (event, tx) => recordEffect('billing', event, tx),
      });
    expect(await consumerOf().runOnce()).toEqual(Array.from({ length: 4 }, () => 'processed'));
    const events = await outboxLog(ledger.db);
    // Versions 1-2 were handled 8 days ago, 3-4 just now.
    await ledger.db.query(
      `UPDATE ledger.inbox SET handled_at = now() - interval '8 days'
        WHERE event_id IN (SELECT event_id FROM ledger.outbox WHERE aggregate_version <= 2)`,
    );
    expect(await prune(ledger.db, { batchSize: 1 })).toMatchObject({
      inboxDeleted: 2,
      outboxDeleted: 0, // the outbox rows are recent
    });
    const inbox = async () =>
      (
        await ledger.db.query<{ event_id: string }>(
          `SELECT event_id FROM ledger.inbox WHERE consumer = 'billing' ORDER BY event_id`,
        )
      ).rows.map((r) => r.event_id);
    expect(await inbox()).toEqual(ids(events.slice(2)).sort());

    // At-least-once taken to the extreme: the transport delivers all four again.
    await ledger.db.query(`DELETE FROM ledger.consumer_progress WHERE consumer = 'billing'`);
    // 3-4: the inbox row is there (inside the window). 1-2: no inbox row any
    // more, but consumer_aggregates.last_version (4, never pruned) refuses them.
    expect(await consumerOf().runOnce()).toEqual(Array.from({ length: 4 }, () => 'duplicate'));
    const { rows } = await ledger.db.query<{ n: bigint }>(
      `SELECT count(*) AS n FROM ledger.effects WHERE consumer = 'billing'`,
    );
    expect(rows[0]!.n).toBe(4n);
  });

  it('the app role cannot delete outbox or inbox rows nor move the pruned marks; the relay role deletes event rows only', async () => {
    await deposit(uow, 'acme', 'a', 1);
    const consumer = createConsumer({
      name: 'c',
      domain: 'ledger',
      transport: createPostgresTransport({ db: ledger.db }),
      db: ledger.db,
      schema: LEDGER,
      handle: () => Promise.resolve(),
    });
    await consumer.runOnce();
    const asApp = (sql: string) =>
      withTenant(ledger.db, { tenantId: 'acme' }, (tx) => tx.query(sql)).then(
        () => 'ok',
        (error: unknown) => sqlStateOf(error),
      );
    expect(await asApp(`DELETE FROM ledger.outbox`)).toBe('42501');
    expect(await asApp(`DELETE FROM ledger.inbox`)).toBe('42501');
    expect(
      await asApp(`INSERT INTO ledger.outbox_pruned (tenant_id, transaction_id, seq)
                   VALUES ('acme', '1'::xid8, 1)`),
    ).toBe('42501');
    expect(await asApp(`SELECT * FROM ledger.outbox_pruned`)).toBe('ok');
    const asRelay = (sql: string) =>
      ledger.db
        .transaction((tx) => tx.query(sql), asRelayRole())
        .then(
          (r) => r.rowCount,
          (error: unknown) => sqlStateOf(error),
        );
    expect(await asRelay(`DELETE FROM ledger.accounts`)).toBe('42501');
    expect(await asRelay(`DELETE FROM ledger.inbox`)).toBe(2);
    expect(await asRelay(`DELETE FROM ledger.outbox`)).toBe(2);
  });
});

const opened = (tenantId: string, aggregateId: string): EventEnvelope => ({
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

/** Held transactions still open; a failed test must not leave one blocking the next. */
const releases: (() => void)[] = [];

/** Opens a transaction that appends one event and stays open until `commit()`. */
function holdOpen(
  ledger: LedgerDatabase,
  event: EventEnvelope,
): { written: Promise<void>; commit(): Promise<void> } {
  let release!: () => void;
  let written!: () => void;
  const writtenP = new Promise<void>((r) => (written = r));
  const gate = new Promise<void>((r) => (release = r));
  releases.push(release);
  const done = withTenant(ledger.connect(1), { tenantId: event.tenantId }, async (tx) => {
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

describe('retention with a relay and open transactions (postgres)', () => {
  let ledger: LedgerDatabase;
  let uow: UnitOfWork;
  beforeAll(async () => {
    ledger = await openLedgerDatabase('postgres', 'retention_relay', { ownServer: true });
    uow = createUnitOfWork({ db: ledger.db, domain: 'ledger' });
  });
  afterAll(() => ledger.close());
  beforeEach(() => truncate(ledger.db));
  afterEach(() => releases.splice(0).forEach((release) => release()));

  it('the relay goes on from its checkpoint after pruning, without gaps or duplicates, also past a late commit', async () => {
    const publisher = recordingPublisher();
    const relay = createRelay({
      db: ledger.connect(1),
      domain: 'ledger',
      name: 'steady',
      publisher,
      batchSize: 3,
    });
    await deposit(uow, 'acme', 'a', 1);
    await deposit(uow, 'globex', 'g', 1);
    const before = await outboxLog(ledger.db);
    expect(await relay.runOnce()).toMatchObject({ published: 3 });
    const late = opened('acme', 'late');
    const held = holdOpen(ledger, late); // lower transaction id than what follows
    await held.written;
    await deposit(uow, 'globex', 'h', 1); // commits first

    const first = await prune(ledger.db, { now: inDays(8) });
    // Up to and including the checkpoint's row; the fourth event is not passed yet.
    expect(first).toMatchObject({ outboxDeleted: 3, prunedThrough: before[2]!.position });
    expect(await relay.runOnce()).toMatchObject({ published: 1 }); // the 4th; the rest is held back
    // Everything committed is expired by this clock, but what the relay has
    // not read (held back by the open transaction) stays.
    expect(await prune(ledger.db, { now: inDays(8) })).toMatchObject({ outboxDeleted: 1 });
    await held.commit();
    while ((await relay.runOnce()).published > 0);
    const committed = [...ids(before), late.eventId, ...ids((await outboxLog(ledger.db)).slice(1))];
    expect(publisher.seen.map((e) => e.eventId)).toEqual(committed);
    expect(new Set(committed).size).toBe(7);
    await relay.stop();
  });

  it('with no checkpoints, age-only pruning never deletes past a transaction still open', async () => {
    await deposit(uow, 'acme', 'a', 1);
    const held = holdOpen(ledger, opened('acme', 'open'));
    await held.written;
    await deposit(uow, 'globex', 'g', 1); // committed, above the open transaction
    expect(await prune(ledger.db, { now: inDays(8) })).toMatchObject({ outboxDeleted: 2 });
    await held.commit();
    expect(await outboxLog(ledger.db)).toHaveLength(3);
  });

  it('startRetention runs on its interval, logs what it pruned, and stops', async () => {
    await deposit(uow, 'acme', 'a', 1);
    const runs: (readonly PruneResult[])[] = [];
    const infos: [string, Record<string, unknown>][] = [];
    const logger: EventsLogger = {
      info: (details, message) => infos.push([message, details]),
      warn: () => {},
      error: () => {},
    };
    let twoRuns!: () => void;
    const ran = new Promise<void>((r) => (twoRuns = r));
    const retention = startRetention({
      db: ledger.db,
      schemas: [LEDGER],
      intervalMs: 20,
      now: inDays(8),
      logger,
      onRun: (results) => {
        runs.push(results);
        if (runs.length === 2) twoRuns();
      },
    });
    await ran;
    await retention.stop();
    expect(runs[0]).toMatchObject([{ schema: LEDGER, outboxDeleted: 2 }]);
    expect(runs[1]).toMatchObject([{ schema: LEDGER, outboxDeleted: 0, inboxDeleted: 0 }]);
    expect(infos).toEqual([
      [
        'event retention pruned',
        expect.objectContaining({ schema: LEDGER, outboxDeleted: 2, inboxDeleted: 0 }),
      ],
    ]);
    const count = runs.length;
    await sleep(100);
    expect(runs.length).toBe(count);
    expect(() => startRetention({ db: ledger.db, schemas: [LEDGER], intervalMs: 0 })).toThrow(
      /intervalMs/,
    );
    expect(() =>
      startRetention({ db: ledger.db, schemas: [LEDGER], inboxRetentionMs: -1 }),
    ).toThrow(/inboxRetentionMs/);
  });
});
