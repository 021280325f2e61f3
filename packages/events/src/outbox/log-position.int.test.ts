import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAmeideError } from '@ameide/errors';
import {
  createPgDatabase,
  ensureAppRole,
  migrate,
  migratePlatform,
  type Transaction,
} from '@ameide/persistence';
import { createTestDatabase, type TestDatabase } from '@ameide/testing';
import {
  appendToOutbox,
  appendToStream,
  comparePositions,
  ensureRelayRole,
  eventHistoryMigration,
  eventTablesMigration,
  LOG_START,
  newEventId,
  readHistory,
  readOutbox,
  type EventEnvelope,
  type LogPosition,
} from '@ameide/events';

/**
 * The one event log: a reader following the position while writers commit
 * out of order never skips an event, whether the events were written as a
 * domain's outbox rows (`appendToOutbox`) or as an event-sourced stream
 * (`appendToStream`, the Transformation Domain's artifacts). Real Postgres,
 * real concurrent transactions, random interleavings of begin / append /
 * commit / rollback / read.
 */

const SCHEMA = 'history_log';
const TENANT = 'acme';

/** A pg client in a tenant transaction, as the log functions take it. */
function transaction(client: pg.Client): Transaction {
  return {
    kind: 'pg',
    async query<T>(sql: string, params: readonly unknown[] = []) {
      const r = await client.query(sql, params as unknown[]);
      return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
    },
    async exec(sql: string) {
      await client.query(sql);
    },
    notifyAfterCommit() {},
  } as unknown as Transaction;
}

async function tenantTx(client: pg.Client): Promise<Transaction> {
  await client.query('BEGIN');
  await client.query('SET LOCAL ROLE ameide_app');
  await client.query(`SELECT set_config('app.tenant_id', $1, true)`, [TENANT]);
  return transaction(client);
}

function envelope(): EventEnvelope {
  return {
    eventId: newEventId(),
    tenantId: TENANT,
    domain: SCHEMA,
    aggregateType: 'ledger',
    aggregateId: randomUUID(),
    aggregateVersion: 1n,
    type: 'history_log.ledger.opened.v1',
    schemaVersion: 1,
    occurredAt: new Date(),
    correlationId: 'c',
    causationId: undefined,
    payload: {},
  };
}

/** One event, through one of the two write paths; returns its id. */
async function appendOne(tx: Transaction, asStream: boolean): Promise<string> {
  if (!asStream) {
    const e = envelope();
    await appendToOutbox(tx, SCHEMA, [e]);
    return e.eventId;
  }
  const [e] = await appendToStream(
    tx,
    { schema: SCHEMA, domain: SCHEMA, aggregateType: 'artifact', aggregateId: randomUUID() },
    0n,
    [{ type: 'history_log.artifact.created.v1', payload: {}, attachment: new Uint8Array([1]) }],
    { tenantId: TENANT, actor: 'w', correlationId: 'c' },
  );
  return e!.envelope.eventId;
}

/**
 * Repeats a read until it returns `n` events (or gives up): other test files'
 * transactions on the same server hold `pg_snapshot_xmin` back for a moment.
 */
async function settled<T extends { ids: string[] }>(read: () => Promise<T>, n: number): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const batch = await read();
    if (batch.ids.length >= n || attempt === 200) return batch;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

type Op =
  | { kind: 'append'; writer: number; asStream: boolean }
  | { kind: 'commit'; writer: number }
  | { kind: 'rollback'; writer: number }
  | { kind: 'read' };

describe('the event log on postgres', () => {
  let testDb: TestDatabase;
  const writers: pg.Client[] = [];
  let reader: pg.Client;

  beforeAll(async () => {
    testDb = await createTestDatabase('log_position', { ownServer: true });
    const db = createPgDatabase({ url: testDb.url, pool: { max: 2 } });
    await ensureAppRole(db);
    await ensureRelayRole(db);
    await migratePlatform(db);
    await migrate(db, {
      schema: SCHEMA,
      migrations: [eventTablesMigration(SCHEMA, 1), eventHistoryMigration(SCHEMA, 2)],
    });
    await db.close();
    for (let i = 0; i < 4; i++) {
      const c = new pg.Client({ connectionString: testDb.url });
      await c.connect();
      writers.push(c);
    }
    reader = new pg.Client({ connectionString: testDb.url });
    await reader.connect();
  });
  afterAll(async () => {
    for (const c of [...writers, reader]) await c.end();
    await testDb.drop();
  });

  /** Reads with the outbox reader and the history reader: both must return the same. */
  async function readBatch(
    position: LogPosition,
  ): Promise<{ ids: string[]; positions: LogPosition[] }> {
    const tx = await tenantTx(reader);
    const rows = await readOutbox(tx, SCHEMA, SCHEMA, position, 1000);
    const history = await readHistory(tx, SCHEMA, SCHEMA, position, 1000);
    await reader.query('COMMIT');
    expect(history.map((e) => e.envelope.eventId)).toEqual(rows.map((e) => e.envelope.eventId));
    return { ids: rows.map((e) => e.envelope.eventId), positions: rows.map((e) => e.position) };
  }

  it.each([false, true])(
    'a held-open transaction makes the reader wait, never skip (stream writes: %s)',
    async (asStream) => {
      const [a, b] = writers as [pg.Client, pg.Client];
      const start = await readBatch(LOG_START);
      const position = start.positions.at(-1) ?? LOG_START;
      const late = await appendOne(await tenantTx(a), asStream);
      const early = await appendOne(await tenantTx(b), !asStream);
      await b.query('COMMIT');
      const whileOpen = await readBatch(position);
      expect(whileOpen.ids).toEqual([]);
      await a.query('COMMIT');
      const after = await settled(() => readBatch(position), 2);
      expect(after.ids).toEqual([late, early]);
    },
  );

  it('random interleavings: every committed event is read exactly once, rolled-back ones never', async () => {
    const opArb = fc.oneof(
      fc.record({
        kind: fc.constant('append' as const),
        writer: fc.integer({ min: 0, max: 3 }),
        asStream: fc.boolean(),
      }),
      fc.record({ kind: fc.constant('commit' as const), writer: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ kind: fc.constant('rollback' as const), writer: fc.integer({ min: 0, max: 3 }) }),
      fc.constant({ kind: 'read' as const }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 40 }), async (ops: Op[]) => {
        const start = await readBatch(LOG_START);
        let position = start.positions.at(-1) ?? LOG_START;
        const open: (string[] | undefined)[] = [undefined, undefined, undefined, undefined];
        const txs: (Transaction | undefined)[] = [undefined, undefined, undefined, undefined];
        const committed = new Set<string>();
        const rolledBack = new Set<string>();
        const read: string[] = [];
        const positions: LogPosition[] = [];
        const doRead = async () => {
          const batch = await readBatch(position);
          read.push(...batch.ids);
          positions.push(...batch.positions);
          position = batch.positions.at(-1) ?? position;
        };
        for (const op of ops) {
          if (op.kind === 'read') await doRead();
          else if (op.kind === 'append') {
            if (!open[op.writer]) {
              txs[op.writer] = await tenantTx(writers[op.writer]!);
              open[op.writer] = [];
            }
            open[op.writer]!.push(await appendOne(txs[op.writer]!, op.asStream));
          } else if (open[op.writer]) {
            await writers[op.writer]!.query(op.kind === 'commit' ? 'COMMIT' : 'ROLLBACK');
            for (const id of open[op.writer]!)
              (op.kind === 'commit' ? committed : rolledBack).add(id);
            open[op.writer] = undefined;
          }
        }
        for (let w = 0; w < 4; w++) {
          if (open[w]) {
            await writers[w]!.query('COMMIT');
            for (const id of open[w]!) committed.add(id);
          }
        }
        await doRead();
        // Other test files' transactions on the server hold pg_snapshot_xmin back for a moment.
        for (let i = 0; i < 200 && read.length < committed.size; i++) {
          await new Promise((resolve) => setTimeout(resolve, 25));
          await doRead();
        }
        expect(new Set(read).size).toBe(read.length);
        expect(new Set(read)).toEqual(committed);
        for (const id of read) expect(rolledBack.has(id)).toBe(false);
        for (let i = 1; i < positions.length; i++)
          expect(comparePositions(positions[i - 1]!, positions[i]!)).toBe(-1);
      }),
      { numRuns: 60 },
    );
  });

  it('two writers expecting the same stream version: exactly one commits, the other conflicts', async () => {
    const [a, b] = writers as [pg.Client, pg.Client];
    const stream = {
      schema: SCHEMA,
      domain: SCHEMA,
      aggregateType: 'artifact',
      aggregateId: randomUUID(),
    };
    const meta = { tenantId: TENANT, actor: 'w', correlationId: 'c' };
    const one = { type: 'history_log.artifact.revised.v1', payload: { n: 1 } };
    const created = await tenantTx(a);
    await appendToStream(created, stream, 0n, [one], meta);
    await a.query('COMMIT');

    const txA = await tenantTx(a);
    const txB = await tenantTx(b);
    await appendToStream(txA, stream, 1n, [one, one], meta);
    // B's insert waits for A's (same version), then finds it taken.
    const blocked = appendToStream(txB, stream, 1n, [one], meta).catch((err: unknown) => err);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await a.query('COMMIT');
    const err = await blocked;
    await b.query('ROLLBACK');
    expect(isAmeideError(err) && err.code).toBe('aborted');
    expect(isAmeideError(err) && err.conflict).toMatchObject({
      subject: 'artifact',
      expectedVersion: 1n,
      actualVersion: 3n,
    });

    // A stale or a too-high expected version, and a stream that does not exist.
    for (const [expected, id, code] of [
      [2n, stream.aggregateId, 'aborted'],
      [7n, stream.aggregateId, 'aborted'],
      [1n, randomUUID(), 'not_found'],
    ] as const) {
      const tx = await tenantTx(a);
      const failed = await appendToStream(tx, { ...stream, aggregateId: id }, expected, [one], meta)
        .then(() => undefined)
        .catch((e: unknown) => e);
      await a.query('ROLLBACK');
      expect(isAmeideError(failed) && failed.code).toBe(code);
    }
    const check = await tenantTx(a);
    const versions = (await readHistory(check, SCHEMA, SCHEMA, LOG_START, 10_000))
      .filter((e) => e.envelope.aggregateId === stream.aggregateId)
      .map((e) => e.envelope.aggregateVersion);
    await a.query('COMMIT');
    expect(versions).toEqual([1n, 2n, 3n]);
  });
});
