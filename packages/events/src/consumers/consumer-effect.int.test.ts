// A consumer's effect outside the database (`effect`): run before the transaction that records
// the event, never inside it (PGlite has one connection, so a query from the effect would wait
// for ever behind an open transaction), once per event not handled yet, again when it failed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPgliteDatabase, withTenant, type Database } from '@ameide/persistence';
import { createUnitOfWork } from '../unit-of-work/unit-of-work.js';
import { createPostgresTransport } from '../transport/postgres-transport.js';
import { deposit, LEDGER, migrateLedger, recordEffect } from '../testing/ledger.js';
import { createConsumer } from './consumer.js';
import { requestReplay } from './dead-letters.js';

describe('a consumer effect outside the transaction', () => {
  let db: Database;
  beforeEach(async () => {
    db = await createPgliteDatabase();
    await migrateLedger(db);
    // Two events of one aggregate: opened (v1), deposited (v2).
    await deposit(createUnitOfWork({ db, domain: LEDGER }), 'acme', 'a1', 5);
  });
  afterEach(() => db.close());

  /** The versions the consumer's handler recorded (in its transaction), in order. */
  const recorded = async () => {
    const { rows } = await db.query<{ version: bigint }>(
      `SELECT version FROM ledger.effects ORDER BY applied_seq`,
    );
    return rows.map((r) => Number(r.version));
  };
  const consumerOf = (
    name: string,
    effect: (event: { type: string; aggregateVersion: bigint; tenantId: string }) => Promise<void>,
    options: { types?: string[]; maxAttempts?: number } = {},
  ) =>
    createConsumer({
      name,
      domain: LEDGER,
      transport: createPostgresTransport({ db }),
      db,
      schema: LEDGER,
      effect,
      handle: (event, tx) => recordEffect(name, event, tx),
      backoffMs: 1,
      maxBackoffMs: 1,
      ...options,
    });

  it('runs before the event is recorded, with no transaction open, once per event', async () => {
    const seen: string[] = [];
    const consumer = consumerOf('effects', async (event) => {
      // Would wait for ever if the consumer's transaction held PGlite's connection.
      const { rows } = await withTenant(db, { tenantId: event.tenantId }, (tx) =>
        tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM ledger.effects`),
      );
      seen.push(`v${event.aggregateVersion} after ${rows[0]!.n} recorded`);
    });
    expect(await consumer.runOnce()).toEqual(['processed', 'processed']);
    expect(seen).toEqual(['v1 after 0 recorded', 'v2 after 1 recorded']);
    expect(await recorded()).toEqual([1, 2]);
    await consumer.stop();

    // Delivered again from the start (its cursor gone): duplicates, the effect does not run again.
    await db.query(`DELETE FROM ledger.consumer_progress WHERE consumer = 'effects'`);
    const again = consumerOf('effects', (event) => {
      seen.push(`again v${event.aggregateVersion}`);
      return Promise.resolve();
    });
    expect(await again.runOnce()).toEqual(['duplicate', 'duplicate']);
    expect(seen).toHaveLength(2);
    await again.stop();
  });

  it('runs only for the types the consumer wants', async () => {
    const seen: bigint[] = [];
    const consumer = consumerOf(
      'deposits',
      (event) => {
        seen.push(event.aggregateVersion);
        return Promise.resolve();
      },
      { types: ['ledger.account.deposited.v1'] },
    );
    expect(await consumer.runOnce()).toEqual(['skipped', 'processed']);
    expect(seen).toEqual([2n]);
    await consumer.stop();
  });

  it('a failing effect fails the attempt: nothing recorded until it succeeds', async () => {
    let calls = 0;
    const consumer = consumerOf('flaky', (event) => {
      calls++;
      return event.aggregateVersion === 1n && calls <= 2
        ? Promise.reject(new Error('Temporal unavailable'))
        : Promise.resolve();
    });
    expect(await consumer.runOnce()).toEqual(['processed', 'processed']);
    expect(calls).toBe(4);
    expect(await recorded()).toEqual([1, 2]);
    await consumer.stop();
  });

  it('dead-letters an event whose effect keeps failing, and runs it again on replay', async () => {
    let failing = true;
    const seen: bigint[] = [];
    const consumer = consumerOf(
      'replayed',
      (event) => {
        if (failing && event.aggregateVersion === 1n)
          return Promise.reject(new Error('Temporal unavailable'));
        seen.push(event.aggregateVersion);
        return Promise.resolve();
      },
      { maxAttempts: 2 },
    );
    // v1 dead-lettered; v2 parks behind it without its effect.
    expect(await consumer.runOnce()).toEqual(['dead_lettered', 'parked']);
    expect(seen).toEqual([]);
    expect(await recorded()).toEqual([]);
    failing = false;
    await requestReplay({ db, schema: LEDGER }, { consumer: 'replayed' });
    expect(await consumer.replayRequested()).toEqual({ replayed: 2, failed: 0 });
    expect(seen).toEqual([1n, 2n]);
    expect(await recorded()).toEqual([1, 2]);
    await consumer.stop();
  });
});
