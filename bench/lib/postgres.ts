import pg from 'pg';
import { startPostgresServer, type PostgresServer } from '@ameide/testing';

/**
 * A Postgres for benchmarks: `AMEIDE_BENCH_PG_URL` when set, else a throwaway
 * server started here (Debian `postgresql` binaries), with a fresh database.
 */
export async function benchPostgres(
  label: string,
): Promise<{ url: string; stop(): Promise<void> }> {
  let server: PostgresServer | undefined;
  const adminUrl = process.env['AMEIDE_BENCH_PG_URL'] ?? (server = await startPostgresServer()).url;
  const name = `bench_${label}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async stop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
      await server?.stop();
    },
  };
}
