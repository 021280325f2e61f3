import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import './provided-context.js';
import { startPostgresServer } from './postgres-server.js';

/** A database of its own for one test file. */
export interface TestDatabase {
  /** Database name, `t_<label>_<random>`. */
  readonly name: string;
  /** Superuser connection URL of this database. */
  readonly url: string;
  /** Superuser connection URL of the server's `postgres` database. */
  readonly adminUrl: string;
  /** Drops the database, closing connections still open to it. Idempotent. */
  drop(): Promise<void>;
}

/** Options of {@link createTestDatabase}. */
export interface TestDatabaseOptions {
  /**
   * A Postgres server of this file's own instead of a database on the shared one. For tests
   * that assert exactly what a log reader sees at a given moment: readers see only rows below
   * `pg_snapshot_xmin`, and transaction ids are server-wide, so another file's open transaction
   * on a shared server holds their reads back (and theirs, held open on purpose, hold back the
   * others). Costs a server start (about 2 s here).
   */
  readonly ownServer?: boolean;
}

/**
 * Creates a fresh, uniquely named database on the test server (see the global
 * setup), so test files can run in parallel without seeing each other's data.
 * Call it in `beforeAll` and `drop()` it in `afterAll`.
 *
 * Roles are server-wide, not per database: tests that create roles should give
 * them unique names or tolerate other files creating the same one.
 *
 * @param label - names the database after the test file, e.g. `'migrate'`.
 */
export async function createTestDatabase(
  label: string,
  options: TestDatabaseOptions = {},
): Promise<TestDatabase> {
  if (options.ownServer) return ownServerDatabase(label);
  const adminUrl = inject('pgAdminUrl');
  if (typeof adminUrl !== 'string' || adminUrl === '') {
    throw new Error(
      'pgAdminUrl was not provided: run the tests through the root vitest.config.ts, whose globalSetup starts Postgres.',
    );
  }
  return createTestDatabaseOn(adminUrl, label);
}

/** A fresh database on the server of `adminUrl`. */
async function createTestDatabaseOn(adminUrl: string, label: string): Promise<TestDatabase> {
  const safeLabel =
    label
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 40) || 'db';
  const name = `t_${safeLabel}_${randomBytes(5).toString('hex')}`;
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    name,
    url: url.toString(),
    adminUrl,
    drop: () => {
      dropped ??= withAdmin(adminUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
      ).then(() => undefined);
      return dropped;
    },
  };
}

async function withAdmin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function ownServerDatabase(label: string): Promise<TestDatabase> {
  const server = await startPostgresServer();
  try {
    const db = await createTestDatabaseOn(server.url, label);
    let dropped: Promise<void> | undefined;
    return {
      ...db,
      drop: () => {
        dropped ??= db.drop().finally(() => server.stop());
        return dropped;
      },
    };
  } catch (err) {
    await server.stop();
    throw err;
  }
}
