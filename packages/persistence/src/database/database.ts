/** Which engine a {@link Database} talks to. */
export type DatabaseKind = 'postgres' | 'pglite';

/** A result row; pass your own row type to `query<T>()`. */
export type Row = Record<string, unknown>;

/**
 * The rows of a statement and how many rows it returned or changed.
 *
 * Values come back the same on both engines: `int8` as `bigint`, `numeric` as
 * `string`, `date` as `'YYYY-MM-DD'` string, `timestamptz` as `Date`, `json`/
 * `jsonb` parsed, `bytea` as `Uint8Array`.
 */
export interface QueryResult<T = Row> {
  readonly rows: T[];
  /** Rows returned (SELECT) or changed (INSERT/UPDATE/DELETE). */
  readonly rowCount: number;
}

/** What both a database and a transaction can do. */
export interface Queryable {
  /** Runs one statement with `$1..$n` parameters. */
  query<T = Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
  /** Runs a script of any number of statements, without parameters (e.g. a migration). */
  exec(sql: string): Promise<void>;
}

/**
 * A handle on one open transaction. Only valid inside the callback it was
 * passed to; using it afterwards throws `TRANSACTION_CLOSED`.
 */
export interface Transaction extends Queryable {
  readonly kind: DatabaseKind;
  /**
   * Notifies `channel` (a lower-case SQL identifier; see
   * {@link Database.listen}) after this transaction has committed, never if
   * it rolls back. Run after COMMIT rather than as a `NOTIFY` inside the
   * transaction, which would make Postgres commit notifying transactions one
   * at a time: on a server in COMMIT's round trip as a statement of its own,
   * on PGlite right after (coalesced per channel while one is on its way).
   */
  notifyAfterCommit(channel: string): void;
  /**
   * What the last statement of {@link TransactionOptions.begin} returned, so
   * a first read can travel with BEGIN (rows in text format, parsed like any
   * query's); undefined without a begin script.
   */
  readonly beginResult?: QueryResult | undefined;
}

/** Options of {@link Database.transaction}. */
export interface TransactionOptions {
  /**
   * A script run right after BEGIN, before `fn`, in the same round trip on a
   * server (simple protocol: no parameters, so only trusted, quoted values).
   * `withTenant` uses it to set role and tenant without extra latency. The
   * rows of its last statement are `tx.beginResult`. When it fails, the
   * transaction is rolled back and the error thrown.
   */
  readonly begin?: string;
}

/** Receives the payload of one notification (`''` when the sender gave none). */
export type NotificationListener = (payload: string) => void;

/**
 * A Postgres database: node-postgres against a server ({@link createPgDatabase})
 * or PGlite in-process ({@link createPgliteDatabase}). Code written against this
 * interface runs unchanged on both.
 */
export interface Database extends Queryable {
  readonly kind: DatabaseKind;
  /**
   * The database that holds a tenant's rows when it is not this one (a tenant with a
   * dedicated database); `withTenant` runs there. Only {@link createTenantRoutedDatabase}
   * sets it.
   */
  readonly forTenant?: (tenantId: string) => Database | undefined;
  /**
   * Runs `fn` in one transaction: commits when it resolves, rolls back when it
   * throws (and rethrows). Inside `fn` use `tx`, never the database itself: on
   * PGlite (one connection) that would deadlock, so it throws
   * `NESTED_DATABASE_CALL` on both engines.
   *
   * @throws PersistenceError `TRANSACTION_ABORTED` when a statement failed
   * inside `fn`, `fn` swallowed the error, and COMMIT therefore rolled back.
   */
  transaction<R>(fn: (tx: Transaction) => Promise<R>, options?: TransactionOptions): Promise<R>;
  /**
   * Calls `fn` for every `NOTIFY` on `channel` (a lower-case SQL identifier)
   * from any session, once the notifying transaction has committed. Resolves
   * when `LISTEN` is in effect, with the function that ends it. A wake-up
   * signal, not a queue: a notification sent while the listening connection
   * is down is lost (after a reconnect `fn` is called once with `''`), so
   * whoever listens must also look on its own from time to time. On a server
   * the channels of a database share one connection outside the pool.
   */
  listen(channel: string, fn: NotificationListener): Promise<() => Promise<void>>;
  /** Closes the pool or the PGlite instance (and the listening connection). Idempotent. */
  close(): Promise<void>;
}
