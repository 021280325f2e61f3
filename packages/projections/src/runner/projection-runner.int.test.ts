import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresTransport } from '@ameide/events';
import {
  createPgDatabase,
  createPgliteDatabase,
  sqlStateOf,
  withTenant,
  type Database,
} from '@ameide/persistence';
import { createTestDatabase, type TestDatabase } from '@ameide/testing';
import {
  createProjectionRunner,
  projectionSchema,
  type ProjectionRunner,
} from '@ameide/projections';
import { credit, foldTally, migrateTally, readTally, tallyProjection } from '../testing/tally.js';

const engines = [
  {
    kind: 'pglite',
    async open() {
      const db = await createPgliteDatabase();
      return { db, close: () => db.close() };
    },
  },
  {
    kind: 'postgres',
    async open() {
      const testDb: TestDatabase = await createTestDatabase('projection_runner');
      const db = createPgDatabase({ url: testDb.url, pool: { max: 8 } });
      return {
        db,
        close: async () => {
          await db.close();
          await testDb.drop();
        },
      };
    },
  },
];

describe.each(engines)('projection runner on $kind', (engine) => {
  let db: Database;
  let close: () => Promise<void>;
  const runners: ProjectionRunner[] = [];
  const next = new Map<string, bigint>();
  const schema = projectionSchema('tally-balances');
  const runner = (version = 1) => {
    const r = createProjectionRunner({
      db,
      definition: tallyProjection(version),
      transport: createPostgresTransport({ db, pollMs: 10 }),
      lagIntervalMs: 0,
      waitMs: 100,
    });
    runners.push(r);
    return r;
  };

  beforeAll(async () => {
    ({ db, close } = await engine.open());
    await migrateTally(db);
  });
  afterAll(async () => {
    for (const r of runners) await r.stop();
    await close();
  });

  it('folds the log into the read model per tenant, reports lag, and keeps tenants apart', async () => {
    await credit(db, 'acme', { count: 300, accounts: 7, next });
    await credit(db, 'globex', { count: 120, accounts: 3, next });
    const r = runner();
    await r.start();
    await r.catchUp();
    const status = await r.status();
    expect(status).toMatchObject({
      state: 'running',
      generation: 1,
      eventsBehind: 0,
      deadLetters: 0,
    });
    expect(status.sources[0]).toMatchObject({ domain: 'tally', eventsBehind: 0 });
    expect(status.sources[0]!.position).toMatch(/^\d+:\d+$/);
    expect(await readTally(db, 'acme', schema)).toEqual(await foldTally(db, 'acme'));
    expect(await readTally(db, 'globex', schema)).toEqual(await foldTally(db, 'globex'));
    expect(Object.keys(await readTally(db, 'globex', schema)).sort()).toEqual(['a0', 'a1', 'a2']);
    expect(await readTally(db, 'initech', schema)).toEqual({});

    await r.stop();
    await credit(db, 'acme', { count: 40, accounts: 7, next });
    const stopped = await r.status();
    expect(stopped.state).toBe('stopped');
    await r.start();
    const behind = await r.status();
    expect(behind.eventsBehind).toBeGreaterThan(0);
    await r.catchUp();
    expect(await readTally(db, 'acme', schema)).toEqual(await foldTally(db, 'acme'));
  });

  it('refuses every write to a read-model table under the app role (SQL route)', async () => {
    for (const sql of [
      `INSERT INTO ${schema}.balances (tenant_id, account, balance, credits) VALUES ('acme', 'zz', 1, 1)`,
      `UPDATE ${schema}.balances SET balance = 0`,
      `DELETE FROM ${schema}.balances`,
      `TRUNCATE ${schema}.balances`,
    ]) {
      const err = await withTenant(db, { tenantId: 'acme' }, (tx) => tx.query(sql)).catch(
        (e: unknown) => e,
      );
      expect(sqlStateOf(err), sql).toBe('42501');
    }
    expect(await readTally(db, 'acme', schema)).toEqual(await foldTally(db, 'acme'));
  });

  it('rebuilds into shadow tables while the serving ones keep serving, then swaps atomically', async () => {
    const r = runners.at(-1)!;
    await r.rebuild();
    await expect(r.rebuild()).rejects.toMatchObject({ code: 'failed_precondition' });
    // Writes and reads go on during the rebuild; reads always see a complete serving table.
    const reads: number[] = [];
    const writer = credit(db, 'acme', { count: 200, accounts: 7, perTx: 10, next });
    const reader = (async () => {
      for (let i = 0; i < 20; i++) {
        const seen = await readTally(db, 'acme', schema);
        reads.push(Object.values(seen).reduce((n, a) => n + a.credits, 0));
      }
    })();
    await Promise.all([writer, reader]);
    const info = await r.rebuilt();
    expect(info).toMatchObject({ state: 'swapped', source: 'postgres' });
    expect(info!.eventsApplied).toBeGreaterThanOrEqual(460);
    expect(
      reads.filter((n) => n < 340),
      reads.join(' '),
    ).toEqual([]);
    await r.catchUp();
    const status = await r.status();
    expect(status).toMatchObject({ state: 'running', generation: 2 });
    expect(status.lastRebuild).toMatchObject({ state: 'swapped' });
    expect(await readTally(db, 'acme', schema)).toEqual(await foldTally(db, 'acme'));
    expect(await readTally(db, 'globex', schema)).toEqual(await foldTally(db, 'globex'));
  });

  it('rebuilds at start when the definition changed, serving the old tables until the swap', async () => {
    for (const r of runners) await r.stop();
    const r = runner(2);
    await r.start();
    expect((await r.status()).state).toBe('rebuilding');
    // Until the swap the old model (version 1) serves.
    const during = await readTally(db, 'acme', schema);
    expect(during).toEqual(await foldTally(db, 'acme', 1));
    const info = await r.rebuilt();
    expect(info?.state).toBe('swapped');
    expect(await readTally(db, 'acme', schema)).toEqual(await foldTally(db, 'acme', 2));
    expect((await r.status()).generation).toBe(3);
  });
});
