import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@ameide/testing';

async function query(url: string, sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

describe('createTestDatabase', () => {
  const created: TestDatabase[] = [];
  afterAll(async () => {
    for (const db of created) await db.drop();
  });

  it('gives each caller its own empty database, and drop() removes it', async () => {
    const a = await createTestDatabase('Test Database!');
    const b = await createTestDatabase('test database');
    created.push(a, b);
    expect(a.name).toMatch(/^t_test_database_[0-9a-f]{10}$/);
    expect(a.name).not.toBe(b.name);

    await query(a.url, 'create table only_in_a (x int)');
    const inA = await query(
      a.url,
      `select to_regclass('only_in_a') is not null as present, current_database() as db`,
    );
    const inB = await query(
      b.url,
      `select to_regclass('only_in_a') is not null as present, current_database() as db`,
    );
    expect(inA.rows).toEqual([{ present: true, db: a.name }]);
    expect(inB.rows).toEqual([{ present: false, db: b.name }]);

    // A connection left open must not block the drop.
    const open = new pg.Client({ connectionString: a.url });
    open.on('error', () => undefined);
    await open.connect();
    await a.drop();
    const exists = await query(
      a.adminUrl,
      'select count(*)::int as n from pg_database where datname = $1',
      [a.name],
    );
    expect(exists.rows).toEqual([{ n: 0 }]);
    await open.end().catch(() => undefined);
  });
});
