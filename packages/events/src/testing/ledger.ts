// Test support: a tiny domain ("ledger": accounts with deposits) on the event
// plumbing, used by this package's integration tests, the crash-suite child
// processes and the benchmarks. No vitest imports: child processes load it.
import { AmeideError } from '@ameide/errors';
import {
  ensureAppRole,
  migrate,
  migratePlatform,
  type Database,
  type Transaction,
} from '@ameide/persistence';
import type { EventEnvelope } from '../envelope/event-envelope.js';
import { eventTablesMigration } from '../schema/event-tables.js';
import { idempotencyTablesMigration } from '../idempotency/idempotency-tables.js';
import { eventRetentionMigration } from '../schema/event-retention.js';
import { ensureRelayRole } from '../schema/relay-role.js';
import type { SqlStatement } from '../outbox/outbox-rows.js';
import type { AggregateStore, UnitOfWork } from '../unit-of-work/unit-of-work.js';

/** The ledger domain's schema (outbox + consumer tables live there too). */
export const LEDGER = 'ledger';

/** Migrations of the test domain: accounts, event tables, an effects table consumers write to. */
export async function migrateLedger(db: Database): Promise<void> {
  await ensureAppRole(db);
  await ensureRelayRole(db);
  await migratePlatform(db);
  await migrate(db, {
    schema: LEDGER,
    migrations: [
      {
        version: 1,
        name: 'accounts',
        sql: `
CREATE TABLE ledger.accounts (
  tenant_id text NOT NULL, account_id text NOT NULL, balance bigint NOT NULL, version bigint NOT NULL,
  PRIMARY KEY (tenant_id, account_id));
SELECT ameide.enable_tenant_rls('ledger.accounts');
-- What consumers did: one row per handled event, in the order they ran.
CREATE TABLE ledger.effects (
  applied_seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id text NOT NULL, consumer text NOT NULL, event_id uuid NOT NULL,
  account_id text NOT NULL, version bigint NOT NULL, seen_tenant text NOT NULL);
SELECT ameide.enable_tenant_rls('ledger.effects');`,
      },
      eventTablesMigration(LEDGER, 2),
      idempotencyTablesMigration(LEDGER, 3),
      eventRetentionMigration(LEDGER, 4),
    ],
  });
}

/** An account: a balance changed by deposits. */
export interface Account {
  readonly balance: number;
}

function saveAccount(id: string, state: Account, expected: bigint, next: bigint): SqlStatement {
  return expected === 0n
    ? {
        sql: `INSERT INTO ledger.accounts (tenant_id, account_id, balance, version)
              VALUES (current_setting('app.tenant_id'), $1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1`,
        params: [id, state.balance, next],
      }
    : {
        sql: `UPDATE ledger.accounts SET balance = $2, version = $3 WHERE account_id = $1 AND version = $4 RETURNING 1`,
        params: [id, state.balance, next, expected],
      };
}

/** Where accounts live (one statement for save + outbox). */
export const accountStore: AggregateStore<Account> = {
  aggregateType: 'account',
  async load(tx, id) {
    const { rows } = await tx.query<{ balance: bigint; version: bigint }>(
      `SELECT balance, version FROM ledger.accounts WHERE account_id = $1`,
      [id],
    );
    return rows[0]
      ? { state: { balance: Number(rows[0].balance) }, version: BigInt(rows[0].version) }
      : undefined;
  },
  async save(tx, id, state, expected, next) {
    const { sql, params } = saveAccount(id, state, expected, next);
    return (await tx.query(sql, params)).rowCount === 1;
  },
  saveStatement: saveAccount,
};

/** The same store without `saveStatement`: the unit of work saves and appends in two statements. */
export const accountStoreTwoStatements: AggregateStore<Account> = {
  aggregateType: accountStore.aggregateType,
  load: (tx, id) => accountStore.load(tx, id),
  save: (tx, id, state, expected, next) => accountStore.save(tx, id, state, expected, next),
};

/** Deposits `amount` (events `ledger.account.deposited.v1`; a new account is opened first). */
export function deposit(
  uow: UnitOfWork,
  tenantId: string,
  accountId: string,
  amount: number,
  options: { fail?: boolean; store?: AggregateStore<Account> } = {},
) {
  return uow.execute(
    { tenantId, correlationId: `deposit-${accountId}` },
    options.store ?? accountStore,
    accountId,
    (current) => {
      if (amount <= 0)
        throw AmeideError.invalidArgument('amount must be positive', [
          { field: 'amount', description: 'must be > 0' },
        ]);
      if (options.fail) throw new AmeideError('failed_precondition', 'refused on purpose');
      const events = [
        ...(current ? [] : [{ type: 'ledger.account.opened.v1', payload: { accountId } }]),
        { type: 'ledger.account.deposited.v1', payload: { amount } },
      ];
      return { state: { balance: (current?.state.balance ?? 0) + amount }, events };
    },
  );
}

/** A consumer effect: one row in ledger.effects, with the tenant the transaction runs as. */
export async function recordEffect(
  consumer: string,
  event: EventEnvelope,
  tx: Transaction,
): Promise<void> {
  await tx.query(
    `INSERT INTO ledger.effects (tenant_id, consumer, event_id, account_id, version, seen_tenant)
     VALUES ($1, $2, $3, $4, $5, current_setting('app.tenant_id'))`,
    [event.tenantId, consumer, event.eventId, event.aggregateId, event.aggregateVersion],
  );
}
