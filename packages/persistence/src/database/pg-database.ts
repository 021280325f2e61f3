import pg from 'pg';
import { PersistenceError } from '../persistence-error.js';
import {
  DATE_ARRAY_OID,
  DATE_OID,
  INT8_ARRAY_OID,
  INT8_OID,
  parseDate,
  parseInt8,
  TEXT_ARRAY_OID,
} from './column-types.js';
import type { Database, QueryResult, Row, Transaction, TransactionOptions } from './database.js';
import { createCommitNotifier } from './commit-notifier.js';
import { createPgListener, type PgListener } from './pg-listener.js';
import { createStatementNames, type PreparedStatementOptions } from './statement-names.js';
import { quoteIdentifier, quoteLiteral } from '../sql-identifier.js';
import { assertOutsideTransaction, runInTransactionScope } from './transaction-scope.js';

/** Options of {@link createPgDatabase}; give `url`, `pool`, or both (`url` wins). */
export interface PgDatabaseOptions {
  /** `postgres://user@host:port/database` */
  readonly url?: string;
  /** node-postgres pool settings (`max`, timeouts, ssl, ...). */
  readonly pool?: Omit<pg.PoolConfig, 'types'>;
  /**
   * Called when an idle pooled connection or the listening connection fails
   * (server restart, database dropped). The pool discards that connection
   * either way; the listening one is reopened. Default: ignore.
   */
  readonly onIdleError?: (error: Error) => void;
  /**
   * Statements run in transactions are prepared (parsed and planned once per
   * connection) from their second use on; see `StatementNames`. `false` runs
   * every statement unnamed, e.g. behind a pooler that cannot keep prepared
   * statements. Default: on.
   */
  readonly preparedStatements?: false | PreparedStatementOptions;
}

type TextParser = (value: string) => unknown;
const defaultParser = pg.types.getTypeParser as (
  oid: number,
  format?: 'text' | 'binary',
) => TextParser;
// Parses any one-dimensional or nested array literal into strings.
const parseArrayAsStrings = defaultParser(TEXT_ARRAY_OID, 'text');

const typeParsers: Record<number, TextParser> = {
  [INT8_OID]: parseInt8,
  [DATE_OID]: parseDate,
  [INT8_ARRAY_OID]: (value) => toBigIntDeep(parseArrayAsStrings(value)),
  [DATE_ARRAY_OID]: parseArrayAsStrings,
};

function toBigIntDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toBigIntDeep);
  return typeof value === 'string' ? BigInt(value) : value;
}

// Per pool, so other pg users in the process keep node-postgres' defaults.
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    typeParsers[oid] ?? defaultParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * A {@link Database} on a Postgres server through a node-postgres pool. Each
 * transaction holds one pooled connection from BEGIN to COMMIT/ROLLBACK.
 */
export function createPgDatabase(options: PgDatabaseOptions): Database {
  if (options.url === undefined && options.pool === undefined) {
    throw new PersistenceError('INVALID_OPTIONS', 'createPgDatabase needs a url or pool options');
  }
  const pool = new pg.Pool({
    ...options.pool,
    ...(options.url === undefined ? {} : { connectionString: options.url }),
    types,
  });
  pool.on('error', (error) => options.onIdleError?.(error));
  let closed: Promise<void> | undefined;
  let listener: PgListener | undefined;
  const notifier = createCommitNotifier((channel) =>
    closed ? Promise.resolve() : pool.query(`SELECT pg_notify($1, '')`, [channel]),
  );
  const statements =
    options.preparedStatements === false
      ? undefined
      : createStatementNames(options.preparedStatements);

  const checkUsable = (method: string): void => {
    if (closed)
      throw new PersistenceError('DATABASE_CLOSED', `db.${method}() called after close()`);
    assertOutsideTransaction(db, method);
  };

  const db: Database = {
    kind: 'postgres',

    async query<T = Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<T>> {
      checkUsable('query');
      return toResult<T>(await pool.query(sql, [...params]));
    },

    async exec(sql: string): Promise<void> {
      checkUsable('exec');
      // Without parameters node-postgres uses the simple protocol, which runs scripts.
      await pool.query(sql);
    },

    async transaction<R>(
      fn: (tx: Transaction) => Promise<R>,
      options: TransactionOptions = {},
    ): Promise<R> {
      checkUsable('transaction');
      const notify = new Set<string>();
      const client = await pool.connect();
      let broken = false;
      // Per-transaction functions are object methods, not named arrows: under
      // tsx (esbuild keepNames) every named arrow costs a defineProperty call
      // per transaction.
      const handlers = {
        // The pool listens for errors of idle clients only: a connection lost
        // while `fn` awaits something else would otherwise be an uncaught
        // exception. The statement that uses it next fails instead.
        onLost(this: void): void {
          broken = true;
        },
      };
      client.on('error', handlers.onLost);
      try {
        // One round trip: BEGIN plus the caller's set-up script (simple protocol).
        let begun: pg.QueryResult | pg.QueryResult[];
        try {
          begun = (await client.query(options.begin ? `BEGIN; ${options.begin}` : 'BEGIN')) as
            pg.QueryResult | pg.QueryResult[];
        } catch (error) {
          // A failing set-up statement leaves the transaction open and aborted.
          await client.query('ROLLBACK').catch(() => (broken = true));
          throw error;
        }
        let result: R;
        try {
          result = await runInTransactionScope(
            db,
            'postgres',
            {
              async query(sql, params) {
                if (!statements) return toResult(await client.query(sql, [...params]));
                try {
                  return toResult(await client.query(statements.config(client, sql, [...params])));
                } catch (error) {
                  statements.failed(sql, error);
                  // A prepared statement gone from the session (DEALLOCATE, DISCARD): the
                  // client's record of what it prepared is wrong, so it must not be reused.
                  if ((error as { code?: unknown }).code === '26000') broken = true;
                  throw error;
                }
              },
              async exec(sql) {
                await client.query(sql);
              },
              notifyAfterCommit(channel) {
                notify.add(channel);
              },
            },
            fn,
            options.begin && Array.isArray(begun) ? toResult(begun.at(-1)!) : undefined,
          );
        } catch (error) {
          await client.query('ROLLBACK').catch(() => (broken = true));
          throw error;
        }
        // Notifications due now travel with COMMIT (one round trip) but run after it, in a
        // statement of their own, never as a NOTIFY inside the transaction (see CommitNotifier).
        const due = notifier.now(notify);
        const answers = (await client
          .query(
            due.length === 0
              ? 'COMMIT'
              : `COMMIT; SELECT ${due.map((c) => `pg_notify(${quoteLiteral(c)}, '')`).join(', ')}`,
          )
          .catch((error: unknown) => {
            // Whether it committed is unknown: owe the notifications rather than lose them.
            notifier.later(due);
            throw error;
          })) as pg.QueryResult | pg.QueryResult[];
        const commit = Array.isArray(answers) ? answers[0]! : answers;
        // Postgres answers COMMIT of a failed transaction with ROLLBACK, silently.
        if (commit.command === 'ROLLBACK') {
          throw new PersistenceError(
            'TRANSACTION_ABORTED',
            'transaction rolled back at COMMIT because a statement in it failed',
          );
        }
        if (notify.size > 0) notifier.later([...notify].filter((c) => !due.includes(c)));
        return result;
      } catch (error) {
        // A connection in an unknown state must not go back to the pool.
        if (!broken && isConnectionError(error)) broken = true;
        throw error;
      } finally {
        client.off('error', handlers.onLost);
        client.release(broken);
      }
    },

    async listen(channel, fn) {
      checkUsable('listen');
      quoteIdentifier(channel, 'channel');
      listener ??= createPgListener(
        {
          ...options.pool,
          ...(options.url === undefined ? {} : { connectionString: options.url }),
        },
        (error) => options.onIdleError?.(error),
      );
      return listener.listen(channel, fn);
    },

    close(): Promise<void> {
      notifier.close();
      closed ??= Promise.all([pool.end(), listener?.close()]).then(() => undefined);
      return closed;
    },
  };
  return db;
}

function toResult<T>(result: pg.QueryResult): QueryResult<T> {
  return { rows: result.rows as T[], rowCount: result.rowCount ?? result.rows.length };
}

function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  // SQLSTATE class 08 (connection exception) or a Node socket error.
  return typeof code === 'string' && (code.startsWith('08') || code.startsWith('E'));
}
