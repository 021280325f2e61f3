import { AsyncLocalStorage } from 'node:async_hooks';
import { PersistenceError } from '../persistence-error.js';
import { quoteIdentifier } from '../sql-identifier.js';
import type { DatabaseKind, QueryResult, Row, Transaction } from './database.js';

interface Scope {
  readonly owner: object;
  open: boolean;
}

const current = new AsyncLocalStorage<Scope>();

/**
 * Throws when called from inside an open transaction of the same database:
 * such a call would run outside the transaction (pg) or deadlock waiting for it
 * (PGlite, one connection), and is a bug either way.
 */
export function assertOutsideTransaction(owner: object, method: string): void {
  const scope = current.getStore();
  if (scope?.owner === owner && scope.open) {
    throw new PersistenceError(
      'NESTED_DATABASE_CALL',
      `db.${method}() called inside a transaction of the same database; use the tx passed to the transaction callback`,
    );
  }
}

/** The raw statements of one open transaction, supplied by an adapter. */
export interface RawTransaction {
  query(sql: string, params: readonly unknown[]): Promise<QueryResult<Row>>;
  exec(sql: string): Promise<void>;
  /** Remembers a channel to notify once the adapter has committed. */
  notifyAfterCommit(channel: string): void;
}

/**
 * Runs `fn` with a {@link Transaction} over `raw` that refuses use after `fn`
 * settles, and marks the async context so nested calls on the database are caught.
 */
export async function runInTransactionScope<R>(
  owner: object,
  kind: DatabaseKind,
  raw: RawTransaction,
  fn: (tx: Transaction) => Promise<R>,
  beginResult?: QueryResult,
): Promise<R> {
  const scope: Scope = { owner, open: true };
  // Methods, not named arrows: under tsx (esbuild keepNames) each named arrow
  // costs a defineProperty call per transaction.
  const tx: Transaction = {
    kind,
    beginResult,
    async query<T = Row>(sql: string, params: readonly unknown[] = []) {
      checkOpen(scope);
      return (await raw.query(sql, params)) as QueryResult<T>;
    },
    async exec(sql: string) {
      checkOpen(scope);
      await raw.exec(sql);
    },
    notifyAfterCommit(channel: string) {
      checkOpen(scope);
      quoteIdentifier(channel, 'channel');
      raw.notifyAfterCommit(channel);
    },
  };
  try {
    return await current.run(scope, () => fn(tx));
  } finally {
    scope.open = false;
  }
}

function checkOpen(scope: Scope): void {
  if (!scope.open) {
    throw new PersistenceError('TRANSACTION_CLOSED', 'transaction used after it ended');
  }
}
