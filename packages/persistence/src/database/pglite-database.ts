import { PGlite, TransactionAbortedError, type Results } from '@electric-sql/pglite';
import { PersistenceError } from '../persistence-error.js';
import { DATE_OID, INT8_OID, parseDate, parseInt8 } from './column-types.js';
import type { Database, QueryResult, Row, Transaction, TransactionOptions } from './database.js';
import { createCommitNotifier } from './commit-notifier.js';
import { assertOutsideTransaction, runInTransactionScope } from './transaction-scope.js';
import { quoteIdentifier } from '../sql-identifier.js';

/** Options of {@link createPgliteDatabase}. */
export interface PgliteDatabaseOptions {
  /** Directory to keep the database in. Default: in memory. */
  readonly dataDir?: string;
  /**
   * Postgres `shared_buffers`. Default {@link PGLITE_SHARED_BUFFERS}: PGlite's own default
   * (128MB) is resident from the start, about 100 MB of the embedded platform's memory more than
   * 16MB is, and a development database's working set fits in 16MB.
   */
  readonly sharedBuffers?: string;
}

/** Default `shared_buffers` of an embedded database (see {@link PgliteDatabaseOptions}). */
export const PGLITE_SHARED_BUFFERS = '16MB';

/**
 * A {@link Database} on PGlite, Postgres compiled to WASM and run in-process:
 * the embedded default. PGlite has one connection; its `transaction` API holds
 * a lock from BEGIN to COMMIT, so other queries wait instead of interleaving.
 *
 * PGlite connects as the superuser `postgres`, which bypasses RLS: tenant code
 * must run under the app role, see `withTenant`.
 */
export async function createPgliteDatabase(options: PgliteDatabaseOptions = {}): Promise<Database> {
  const sharedBuffers = options.sharedBuffers ?? PGLITE_SHARED_BUFFERS;
  if (!/^\d+(kB|MB|GB)$/.test(sharedBuffers))
    throw new PersistenceError(
      'INVALID_OPTIONS',
      `sharedBuffers must be a size such as 16MB (kB, MB or GB), got ${JSON.stringify(sharedBuffers)}`,
    );
  const pglite = await PGlite.create({
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${sharedBuffers}`],
    // Array parsers are derived from these, so int8[] comes back as bigint[] too.
    parsers: { [INT8_OID]: parseInt8, [DATE_OID]: parseDate },
  });
  let closed: Promise<void> | undefined;
  const sendNotify = (channel: string): Promise<unknown> =>
    closed
      ? Promise.resolve()
      : pglite.query(`SELECT pg_notify($1, '')`, [channel]).catch(() => undefined);
  const notifier = createCommitNotifier(sendNotify);

  const checkUsable = (method: string): void => {
    if (closed)
      throw new PersistenceError('DATABASE_CLOSED', `db.${method}() called after close()`);
    assertOutsideTransaction(db, method);
  };

  const db: Database = {
    kind: 'pglite',

    async query<T = Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<T>> {
      checkUsable('query');
      return toResult<T>(await pglite.query<T>(sql, [...params]));
    },

    async exec(sql: string): Promise<void> {
      checkUsable('exec');
      await pglite.exec(sql);
    },

    async transaction<R>(
      fn: (tx: Transaction) => Promise<R>,
      options: TransactionOptions = {},
    ): Promise<R> {
      checkUsable('transaction');
      const notify = new Set<string>();
      try {
        const result = await pglite.transaction(async (raw) => {
          const begun = options.begin ? await raw.exec(options.begin) : undefined;
          return runInTransactionScope(
            db,
            'pglite',
            {
              query: async (sql, params) => toResult(await raw.query<Row>(sql, [...params])),
              exec: async (sql) => {
                await raw.exec(sql);
              },
              notifyAfterCommit: (channel) => notify.add(channel),
            },
            fn,
            begun?.length ? toResult(begun.at(-1)!) : undefined,
          );
        });
        const due = notifier.now(notify);
        for (const channel of due) void sendNotify(channel);
        notifier.later([...notify].filter((c) => !due.includes(c)));
        return result;
      } catch (error) {
        if (error instanceof TransactionAbortedError) {
          throw new PersistenceError(
            'TRANSACTION_ABORTED',
            'transaction rolled back at COMMIT because a statement in it failed',
            { cause: error },
          );
        }
        throw error;
      }
    },

    async listen(channel, fn) {
      checkUsable('listen');
      quoteIdentifier(channel, 'channel');
      // One session: it hears its own notifications, at the COMMIT of the
      // transaction that sent them.
      return pglite.listen(channel, fn);
    },

    close(): Promise<void> {
      notifier.close();
      closed ??= pglite.close();
      return closed;
    },
  };
  return db;
}

function toResult<T>(result: Results<T>): QueryResult<T> {
  return {
    rows: result.rows,
    rowCount: result.rowCount ?? result.affectedRows ?? result.rows.length,
  };
}
