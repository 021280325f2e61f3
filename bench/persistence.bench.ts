import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createPgDatabase, ensureAppRole, withTenant } from '@ameide/persistence';
import { compare, report } from './lib/measure.js';
import { benchPostgres } from './lib/postgres.js';

/**
 * (b) An insert transaction through `withTenant` (SET LOCAL ROLE + tenant
 * setting + RLS WITH CHECK) vs a raw `pg` insert transaction on the same
 * Postgres, same table, same pool size, same concurrency.
 */
export async function benchPersistence(): Promise<void> {
  const pgServer = await benchPostgres('persistence');
  const db = createPgDatabase({ url: pgServer.url, pool: { max: 8 } });
  const raw = new pg.Pool({ connectionString: pgServer.url, max: 8 });
  try {
    await ensureAppRole(db);
    await db.exec(`
      CREATE TABLE orders (tenant_id text NOT NULL, id uuid PRIMARY KEY, customer text NOT NULL, amount bigint NOT NULL);
      CREATE INDEX ON orders (tenant_id);
      ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
      ALTER TABLE orders FORCE ROW LEVEL SECURITY;
      CREATE POLICY tenant ON orders TO ameide_app
        USING (tenant_id = current_setting('app.tenant_id', true))
        WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
      GRANT SELECT, INSERT ON orders TO ameide_app;`);
    const insert = 'INSERT INTO orders (tenant_id, id, customer, amount) VALUES ($1, $2, $3, $4)';
    const r = await compare(
      async () => {
        const c = await raw.connect();
        try {
          await c.query('BEGIN');
          await c.query(insert, ['acme', randomUUID(), 'c-1', 4200]);
          await c.query('COMMIT');
        } finally {
          c.release();
        }
      },
      () =>
        withTenant(db, { tenantId: 'acme' }, (tx) =>
          tx.query(insert, ['acme', randomUUID(), 'c-1', 4200]),
        ),
      { opsPerRound: 1000, concurrency: 8 },
    );
    report('insert transaction, raw pg', r.baseline.opsPerSec, 'tx/s', 1, 'itself');
    report(
      'insert transaction, withTenant (RLS)',
      r.candidate.opsPerSec,
      'tx/s',
      r.timeRatio,
      'raw pg transaction (time per tx)',
    );
  } finally {
    await raw.end();
    await db.close();
    await pgServer.stop();
  }
}
