import { existsSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { findPostgresBinDir, startPostgresServer } from '@ameide/testing';

async function query(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('startPostgresServer', () => {
  it('starts a server that runs SQL as a superuser, and stop() shuts it down and removes its directory', async () => {
    const server = await startPostgresServer();
    try {
      const { rows } = await query(
        server.url,
        'select current_user, (select rolsuper from pg_roles where rolname = current_user) as su',
      );
      expect(rows).toEqual([{ current_user: 'postgres', su: true }]);
      expect(existsSync(server.dataDir)).toBe(true);
    } finally {
      await server.stop();
    }
    expect(existsSync(server.dataDir)).toBe(false);
    await expect(query(server.url, 'select 1')).rejects.toThrow();
    await server.stop(); // idempotent
  });

  it('names the missing binaries and how to install them when Postgres is not installed', () => {
    expect(() => findPostgresBinDir({ path: '', debianRoot: '/nonexistent/postgresql' })).toThrow(
      /initdb, postgres.*apt-get install postgresql/s,
    );
    expect(() => findPostgresBinDir({ binDir: '/nonexistent/bin' })).toThrow(/\/nonexistent\/bin/);
  });

  it('finds the installed binaries', () => {
    const dir = findPostgresBinDir();
    expect(existsSync(`${dir}/initdb`) && existsSync(`${dir}/postgres`)).toBe(true);
  });
});
