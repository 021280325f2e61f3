import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createPgliteDatabase,
  isPersistenceError,
  PGLITE_SHARED_BUFFERS,
  sqlStateOf,
  type Database,
} from '@ameide/persistence';
import { engines, type EngineFixture } from '../engines.test-support.js';

describe.each(engines)('Database on $kind', (engine) => {
  let fixture: EngineFixture;
  let db: Database;

  beforeAll(async () => {
    fixture = await engine.open('database');
    db = fixture.db;
    await db.exec(`
      CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL);
      CREATE TABLE typed (big int8, bigs int8[], day date, days date[], at timestamptz, amount numeric, doc jsonb, raw bytea);`);
  });
  afterAll(() => fixture.cleanup());
  beforeEach(async () => {
    await db.exec('DELETE FROM items; DELETE FROM typed;');
  });

  const count = async (): Promise<bigint | undefined> =>
    (await db.query<{ n: bigint }>('SELECT count(*) AS n FROM items')).rows[0]?.n;

  it('reports its kind', () => {
    expect(db.kind).toBe(engine.kind);
  });

  it('runs parameterised statements and reports rows returned or changed', async () => {
    const insert = await db.query('INSERT INTO items VALUES ($1, $2), ($3, $4)', [
      1,
      'one',
      2,
      'two',
    ]);
    expect(insert.rowCount).toBe(2);
    const select = await db.query<{ id: number; name: string }>(
      'SELECT id, name FROM items ORDER BY id',
    );
    expect(select).toEqual({
      rows: [
        { id: 1, name: 'one' },
        { id: 2, name: 'two' },
      ],
      rowCount: 2,
    });
    const update = await db.query('UPDATE items SET name = upper(name)');
    expect(update.rowCount).toBe(2);
    const del = await db.query('DELETE FROM items WHERE id = $1', [2]);
    expect(del.rowCount).toBe(1);
    expect(await count()).toBe(1n);
  });

  it('returns the same JavaScript values on both engines', async () => {
    await db.query('INSERT INTO typed VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
      9007199254740993n,
      [1n, 9007199254740993n],
      '2024-02-29',
      ['2024-01-01', null],
      new Date('2024-02-29T12:34:56.789Z'),
      '12345678901234567890.123',
      { a: [1, 'x'], b: null },
      new Uint8Array([0, 255, 7]),
    ]);
    const { rows } = await db.query<Record<string, unknown>>('SELECT * FROM typed');
    expect(rows).toHaveLength(1);
    const row = rows[0] ?? {};
    expect(row['big']).toBe(9007199254740993n);
    expect(row['bigs']).toEqual([1n, 9007199254740993n]);
    expect(row['day']).toBe('2024-02-29');
    expect(row['days']).toEqual(['2024-01-01', null]);
    expect(row['at']).toEqual(new Date('2024-02-29T12:34:56.789Z'));
    expect(row['amount']).toBe('12345678901234567890.123');
    expect(row['doc']).toEqual({ a: [1, 'x'], b: null });
    expect(row['raw']).toBeInstanceOf(Uint8Array);
    expect([...(row['raw'] as Uint8Array)]).toEqual([0, 255, 7]);
  });

  it('runs multi-statement scripts with exec', async () => {
    await db.exec(`INSERT INTO items VALUES (10, 'a'); INSERT INTO items VALUES (11, 'b');`);
    expect(await count()).toBe(2n);
  });

  it('commits a transaction when its function resolves and returns its result', async () => {
    const result = await db.transaction(async (tx) => {
      await tx.query(`INSERT INTO items VALUES (1, 'kept')`);
      return (await tx.query<{ n: bigint }>('SELECT count(*) AS n FROM items')).rows[0]?.n;
    });
    expect(result).toBe(1n);
    expect(await count()).toBe(1n);
  });

  it('rolls a transaction back when its function throws, and rethrows', async () => {
    const failure = new Error('business rule broken');
    await expect(
      db.transaction(async (tx) => {
        await tx.exec(
          `INSERT INTO items VALUES (1, 'gone'); INSERT INTO items VALUES (2, 'gone');`,
        );
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await count()).toBe(0n);
  });

  it('passes database errors through with their SQLSTATE', async () => {
    await db.query(`INSERT INTO items VALUES (1, 'x')`);
    const error: unknown = await db
      .query(`INSERT INTO items VALUES (1, 'again')`)
      .catch((e: unknown) => e);
    expect(sqlStateOf(error)).toBe('23505');
  });

  it('refuses to commit when a statement failed and the function swallowed the error', async () => {
    const error: unknown = await db
      .transaction(async (tx) => {
        await tx.query(`INSERT INTO items VALUES (1, 'first')`);
        await tx.query('SELECT 1 / 0').catch(() => undefined);
      })
      .catch((e: unknown) => e);
    expect(isPersistenceError(error) && error.reason).toBe('TRANSACTION_ABORTED');
    expect(await count()).toBe(0n);
  });

  it('allows statements after a failed one when the test rolls back to a savepoint', async () => {
    await db.transaction(async (tx) => {
      await tx.query(`INSERT INTO items VALUES (1, 'first')`);
      await tx.query('SAVEPOINT s');
      await expect(tx.query(`INSERT INTO items VALUES (1, 'dup')`)).rejects.toThrow();
      await tx.query('ROLLBACK TO SAVEPOINT s');
      await tx.query(`INSERT INTO items VALUES (2, 'second')`);
    });
    expect(await count()).toBe(2n);
  });

  it('refuses a transaction handle used after its transaction ended', async () => {
    let leaked: { query(sql: string): Promise<unknown> } | undefined;
    await db.transaction(async (tx) => {
      leaked = tx;
      await tx.query('SELECT 1');
    });
    const error: unknown = await leaked
      ?.query(`INSERT INTO items VALUES (1, 'late')`)
      .catch((e: unknown) => e);
    expect(isPersistenceError(error) && error.reason).toBe('TRANSACTION_CLOSED');
    expect(await count()).toBe(0n);
  });

  it('refuses calls on the database from inside its own transaction instead of deadlocking', async () => {
    const error: unknown = await db
      .transaction(async (tx) => {
        await tx.query(`INSERT INTO items VALUES (1, 'inside')`);
        await db.query('SELECT count(*) FROM items');
      })
      .catch((e: unknown) => e);
    expect(isPersistenceError(error) && error.reason).toBe('NESTED_DATABASE_CALL');
    expect(await count()).toBe(0n);
  });

  it('never shows a concurrent query the uncommitted rows of an open transaction', async () => {
    let markInserted!: () => void;
    const inserted = new Promise<void>((resolve) => (markInserted = resolve));
    const transaction = db.transaction(async (tx) => {
      await tx.query(`INSERT INTO items VALUES (1, 'uncommitted')`);
      markInserted();
      // Give the concurrent query every chance to run inside this transaction.
      await new Promise((resolve) => setTimeout(resolve, 50));
      throw new Error('roll back');
    });
    await inserted;
    const concurrent = count();
    await expect(transaction).rejects.toThrow('roll back');
    expect(await concurrent).toBe(0n);
    expect(await count()).toBe(0n);
  });

  it('runs concurrent transactions without losing writes', async () => {
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO items VALUES ($1, $2)', [100 + i, `t${i}`]);
          await tx.query('UPDATE items SET name = name WHERE id = $1', [100 + i]);
        }),
      ),
    );
    expect(await count()).toBe(8n);
  });

  it('refuses use after close', async () => {
    const other =
      fixture.kind === 'postgres' ? fixture.connect({ max: 1 }) : await createPgliteDatabase();
    await other.query('SELECT 1');
    await other.close();
    await other.close();
    const error: unknown = await other.query('SELECT 1').catch((e: unknown) => e);
    expect(isPersistenceError(error) && error.reason).toBe('DATABASE_CLOSED');
  });

  it('delivers a notification to listeners when the notifying transaction commits, never on rollback', async () => {
    const heard: string[] = [];
    const unlisten = await db.listen('items_changed', (payload) => heard.push(payload));
    const until = async (n: number) => {
      for (let i = 0; i < 200 && heard.length < n; i++) await sleep(10);
    };
    await db.transaction(async (tx) => {
      await tx.query(`SELECT pg_notify('items_changed', 'one')`);
      await sleep(30);
      expect(heard).toEqual([]);
    });
    await until(1);
    expect(heard).toEqual(['one']);
    await db
      .transaction(async (tx) => {
        await tx.query(`SELECT pg_notify('items_changed', 'rolled back')`);
        throw new Error('roll back');
      })
      .catch(() => undefined);
    await db.query(`SELECT pg_notify('items_changed', 'two')`);
    await until(2);
    expect(heard).toEqual(['one', 'two']);
    await unlisten();
    await db.query(`SELECT pg_notify('items_changed', 'unheard')`);
    await sleep(50);
    expect(heard).toEqual(['one', 'two']);
  });

  it('notifies a channel after a transaction asked for it has committed, never after a rollback', async () => {
    const heard: string[] = [];
    const unlisten = await db.listen('after_commit', (payload) => heard.push(payload));
    await db.transaction(async (tx) => {
      tx.notifyAfterCommit('after_commit');
      await tx.query(`INSERT INTO items VALUES (1, 'x')`);
      await sleep(30);
      expect(heard).toEqual([]);
    });
    await db
      .transaction(async (tx) => {
        tx.notifyAfterCommit('after_commit');
        await tx.query(`INSERT INTO items VALUES (2, 'y')`);
        throw new Error('roll back');
      })
      .catch(() => undefined);
    for (let i = 0; i < 200 && heard.length === 0; i++) await sleep(10);
    await sleep(50);
    expect(heard).toEqual(['']);
    await unlisten();
  });

  it('follows concurrent commits with notifications, the last one sent after the last commit', async () => {
    // What a listener sees when it looks: the last notification finds every row.
    const seen: Promise<bigint | undefined>[] = [];
    const unlisten = await db.listen('after_many', () => seen.push(count()));
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO items VALUES ($1, $2)', [200 + i, 'c']);
          tx.notifyAfterCommit('after_many');
        }),
      ),
    );
    const sawAll = async () => (await Promise.all(seen)).includes(20n);
    for (let i = 0; i < 200 && !(await sawAll()); i++) await sleep(10);
    expect(await sawAll()).toBe(true);
    expect(seen.length).toBeLessThanOrEqual(20);
    await unlisten();
  });

  it('refuses a channel that is not a lower-case identifier', async () => {
    const error: unknown = await db.listen('Bad"Channel', () => {}).catch((e: unknown) => e);
    expect(isPersistenceError(error) && error.reason).toBe('INVALID_IDENTIFIER');
  });
});

describe('listening connection on postgres', () => {
  it('comes back after its connection is killed, and tells the listener to look for itself', async () => {
    const fixture = await engines[0]!.open('listen_reconnect');
    try {
      const db = fixture.db;
      const heard: string[] = [];
      await db.listen('wake', (payload) => heard.push(payload));
      await db.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE query = 'LISTEN "wake"' AND pid <> pg_backend_pid()`,
      );
      for (let i = 0; i < 300 && !heard.includes(''); i++) await sleep(10);
      expect(heard).toContain('');
      await db.query(`SELECT pg_notify('wake', 'after')`);
      for (let i = 0; i < 300 && !heard.includes('after'); i++) await sleep(10);
      expect(heard).toContain('after');
    } finally {
      await fixture.cleanup();
    }
  });
});

describe('prepared statements on postgres', () => {
  it('prepares a statement run again, and runs it unnamed once its result columns changed', async () => {
    const fixture = await engines[0]!.open('prepared');
    try {
      const db = fixture.connect({ max: 1 });
      await db.exec(`CREATE TABLE p (a int); INSERT INTO p VALUES (1);`);
      const select = 'SELECT * FROM p WHERE a = $1';
      const run = () => db.transaction((tx) => tx.query(select, [1]));
      for (let i = 0; i < 3; i++) expect((await run()).rows).toEqual([{ a: 1 }]);
      const prepared = await db.transaction((tx) =>
        tx.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements'),
      );
      expect(prepared.rows.map((r) => r.statement)).toContain(select);
      await db.exec(`ALTER TABLE p ADD COLUMN b int DEFAULT 2`);
      // Postgres refuses a prepared statement whose result columns changed: once.
      const first = await run().then(
        (r) => r.rows,
        (e: unknown) => e,
      );
      if (!(first instanceof Error)) expect(first).toEqual([{ a: 1, b: 2 }]);
      expect((await run()).rows).toEqual([{ a: 1, b: 2 }]);
      expect((await run()).rows).toEqual([{ a: 1, b: 2 }]);
    } finally {
      await fixture.cleanup();
    }
  });
});

describe('PGlite memory', () => {
  it('runs with the small shared_buffers of an embedded database unless told otherwise', async () => {
    const small = await createPgliteDatabase();
    const larger = await createPgliteDatabase({ sharedBuffers: '32MB' });
    try {
      const setting = async (db: Database) =>
        (await db.query<{ v: string }>(`SELECT current_setting('shared_buffers') AS v`)).rows[0]?.v;
      expect(await setting(small)).toBe(PGLITE_SHARED_BUFFERS);
      expect(await setting(larger)).toBe('32MB');
    } finally {
      await small.close();
      await larger.close();
    }
  });

  it('refuses a shared_buffers that is not a size, before starting Postgres', async () => {
    const err = await createPgliteDatabase({ sharedBuffers: '16MB -c fsync=off' }).catch(
      (e: unknown) => e,
    );
    expect(isPersistenceError(err) && err.reason).toBe('INVALID_OPTIONS');
    expect(String(err)).toMatch(/sharedBuffers must be a size such as 16MB/);
  });
});
