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
}

/** Options of {@link Database.transaction}. */
export interface TransactionOptions {
  /**
   * A script run right after BEGIN, before `fn`, in the same round trip on a
   * server (simple protocol: no parameters, so only trusted, quoted values).
   * `withTenant` uses it to set role and tenant without extra latency.
   */
  readonly begin?: string;
}

/**
 * A Postgres database: node-postgres against a server ({@link createPgDatabase})
 * or PGlite in-process ({@link createPgliteDatabase}). Code written against this
 * interface runs unchanged on both.
 */
export interface Database extends Queryable {
  readonly kind: DatabaseKind;
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
  /** Closes the pool or the PGlite instance. Idempotent. */
  close(): Promise<void>;
}
