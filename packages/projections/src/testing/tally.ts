// Test support: a tiny domain ("tally": accounts that receive amounts) whose
// events a small projection folds into balances. Used by this package's
// integration tests, the crash-suite child process and the benchmark. No
// vitest imports: child processes load it.
import {
  appendToOutbox,
  ensureRelayRole,
  eventTablesMigration,
  newEventId,
  type EventEnvelope,
} from '@ameide/events';
import {
  ensureAppRole,
  migrate,
  migratePlatform,
  withTenant,
  type Database,
} from '@ameide/persistence';
import type { ProjectionDefinition } from '../definition/projection-definition.js';

export const TALLY = 'tally';
export const TALLY_EVENT = 'tally.account.credited.v1';

/** The tally domain's schema: only its event log. */
export async function migrateTally(db: Database): Promise<void> {
  await ensureAppRole(db);
  await ensureRelayRole(db);
  await migratePlatform(db);
  await migrate(db, { schema: TALLY, migrations: [eventTablesMigration(TALLY, 1)] });
}

/** Balances per account; `version` lets a test tell a definition change. */
export function tallyProjection(version = 1, name = 'tally-balances'): ProjectionDefinition {
  return {
    name,
    description: 'balance and number of credits per account',
    version,
    tables: [
      {
        name: 'balances',
        columns: { account: 'text', balance: 'bigint', credits: 'integer', last_event: 'text' },
        primaryKey: ['account'],
      },
    ],
    sources: [
      {
        domain: TALLY,
        handlers: {
          [TALLY_EVENT]: async (event, state) => {
            const account = event.aggregateId;
            const amount = BigInt((event.payload as { amount: string }).amount);
            const row = await state.get('balances', { account });
            return [
              {
                op: 'upsert',
                table: 'balances',
                row: {
                  account,
                  balance:
                    ((row?.['balance'] as bigint | undefined) ?? 0n) + amount * BigInt(version),
                  credits: ((row?.['credits'] as number | undefined) ?? 0) + 1,
                  last_event: event.eventId,
                },
              },
            ];
          },
        },
      },
    ],
  };
}

/** Writes `count` credits for one tenant, spread over `accounts` accounts, in transactions of `perTx`. */
export async function credit(
  db: Database,
  tenantId: string,
  options: { count: number; accounts: number; perTx?: number; next: Map<string, bigint> },
): Promise<void> {
  const perTx = options.perTx ?? 50;
  for (let done = 0; done < options.count; done += perTx) {
    const n = Math.min(perTx, options.count - done);
    await withTenant(db, { tenantId }, async (tx) => {
      const events: EventEnvelope[] = [];
      for (let i = 0; i < n; i++) {
        const account = `a${(done + i) % options.accounts}`;
        const key = `${tenantId}/${account}`;
        const version = (options.next.get(key) ?? 0n) + 1n;
        options.next.set(key, version);
        events.push({
          eventId: newEventId(),
          tenantId,
          domain: TALLY,
          aggregateType: 'account',
          aggregateId: account,
          aggregateVersion: version,
          type: TALLY_EVENT,
          schemaVersion: 1,
          occurredAt: new Date(),
          correlationId: 'tally',
          causationId: undefined,
          payload: { amount: String(((done + i) % 7) + 1) },
        });
      }
      await appendToOutbox(tx, TALLY, events);
    });
  }
}

/** The fold of the log: what the read model must equal, per tenant and account. */
export async function foldTally(
  db: Database,
  tenantId: string,
  version = 1,
): Promise<Record<string, { balance: bigint; credits: number }>> {
  return withTenant(db, { tenantId }, async (tx) => {
    const { rows } = await tx.query<{ account: string; balance: string; credits: number }>(
      `SELECT aggregate_id AS account, (sum((payload->>'amount')::bigint) * $1)::text AS balance, count(*)::int AS credits
         FROM ${TALLY}.outbox GROUP BY aggregate_id`,
      [version],
    );
    return Object.fromEntries(
      rows.map((r) => [r.account, { balance: BigInt(r.balance), credits: Number(r.credits) }]),
    );
  });
}

/** The read model as the app role sees it for one tenant. */
export async function readTally(
  db: Database,
  tenantId: string,
  schema: string,
): Promise<Record<string, { balance: bigint; credits: number }>> {
  return withTenant(db, { tenantId }, async (tx) => {
    const { rows } = await tx.query<{ account: string; balance: string; credits: number }>(
      `SELECT account, balance::text AS balance, credits FROM ${schema}.balances`,
    );
    return Object.fromEntries(
      rows.map((r) => [r.account, { balance: BigInt(r.balance), credits: Number(r.credits) }]),
    );
  });
}
