import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAmeideError, type AmeideError } from '@ameide/errors';
import { withTenant } from '@ameide/persistence';
import {
  asRelayRole,
  createUnitOfWork,
  idempotencyOf,
  LOG_START,
  pruneEventTables,
  pruneIdempotencyKeys,
  readOutbox,
  type CommandContext,
  type UnitOfWork,
} from '@ameide/events';
import { accountStore, LEDGER, type Account } from '../testing/ledger.js';
import { openLedgerDatabase, type Engine, type LedgerDatabase } from '../testing/ledger-fixture.js';

async function refusal(p: Promise<unknown>): Promise<AmeideError> {
  try {
    await p;
  } catch (error) {
    if (isAmeideError(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

const DAY = 24 * 3600 * 1000;

describe.each<Engine>(['postgres', 'pglite'])('idempotent commands (%s)', (engine) => {
  let ledger: LedgerDatabase;
  let uow: UnitOfWork;
  let clock = new Date('2026-12-01T00:00:00Z');
  let applied = 0;

  const ctx = (tenantId: string, key: string | undefined, request: string): CommandContext => ({
    tenantId,
    correlationId: 'idem-test',
    idempotency: idempotencyOf({ key, command: 'Deposit', request }),
  });
  // A deposit whose decide function counts how often it really ran.
  const deposit = (c: CommandContext, accountId: string, amount: number) =>
    uow.execute<Account>(c, accountStore, accountId, (current) => {
      applied++;
      return {
        state: { balance: (current?.state.balance ?? 0) + amount },
        events: [{ type: 'ledger.account.deposited.v1', payload: { amount } }],
      };
    });
  const eventsOf = async (accountId: string) =>
    (
      await ledger.db.transaction(
        (tx) => readOutbox(tx, LEDGER, 'ledger', LOG_START, 10_000),
        asRelayRole(),
      )
    ).filter((e) => e.envelope.aggregateId === accountId);

  beforeAll(async () => {
    ledger = await openLedgerDatabase(engine, `idem_${engine}`, { ownServer: true });
    uow = createUnitOfWork({
      db: ledger.db,
      domain: 'ledger',
      now: () => clock,
      idempotencyRetentionMs: 7 * DAY,
    });
  });
  afterAll(() => ledger.close());

  it('answers a repeated key with the first reply and applies nothing again', async () => {
    const first = await deposit(ctx('acme', 'k-1', 'a-1:10'), 'a-1', 10);
    const runs = applied;
    const again = await deposit(ctx('acme', 'k-1', 'a-1:10'), 'a-1', 10);
    expect(applied).toBe(runs);
    expect(first.replayed).toBe(false);
    expect(again).toEqual({ state: { balance: 10 }, version: 1n, events: [], replayed: true });
    expect((await eventsOf('a-1')).length).toBe(1);
    // Without a key every call applies.
    await deposit(ctx('acme', undefined, 'a-1:10'), 'a-1', 10);
    expect((await deposit(ctx('acme', undefined, 'a-1:10'), 'a-1', 10)).state.balance).toBe(30);
  });

  it('answers the first reply even after the aggregate moved on', async () => {
    await deposit(ctx('acme', 'k-2a', 'a-2:5'), 'a-2', 5);
    await deposit(ctx('acme', 'k-2b', 'a-2:7'), 'a-2', 7);
    const replay = await deposit(ctx('acme', 'k-2a', 'a-2:5'), 'a-2', 5);
    expect(replay).toMatchObject({ state: { balance: 5 }, version: 1n, replayed: true });
  });

  it('refuses the same key with a different request, naming the key', async () => {
    await deposit(ctx('acme', 'k-3', 'a-3:1'), 'a-3', 1);
    const err = await refusal(deposit(ctx('acme', 'k-3', 'a-3:2'), 'a-3', 2));
    expect(err.code).toBe('failed_precondition');
    expect(err.reason).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(err.message).toContain('k-3');
    expect(err.fieldViolations).toEqual([expect.objectContaining({ field: 'idempotency-key' })]);
    expect((await eventsOf('a-3')).length).toBe(1);
  });

  it('keeps keys per tenant', async () => {
    await deposit(ctx('acme', 'shared-key', 'a-4:1'), 'a-4', 1);
    const other = await deposit(ctx('globex', 'shared-key', 'a-4:1'), 'a-4', 1);
    expect(other.replayed).toBe(false);
    const otherWithOtherRequest = await refusal(
      deposit(ctx('globex', 'shared-key', 'a-4:9'), 'a-4', 9),
    );
    expect(otherWithOtherRequest.reason).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('does not remember a key whose command was refused', async () => {
    const refused = await refusal(
      uow.execute(ctx('acme', 'k-5', 'a-5'), accountStore, 'a-5', () => {
        throw new Error('boom');
      }),
    ).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Error);
    const ok = await deposit(ctx('acme', 'k-5', 'a-5'), 'a-5', 3);
    expect(ok).toMatchObject({ replayed: false, state: { balance: 3 } });
  });

  it('applies a command once when the same key races from many callers', async () => {
    const before = (await eventsOf('a-6')).length;
    const results = await Promise.all(
      Array.from({ length: 8 }, () => deposit(ctx('acme', 'k-6', 'a-6:4'), 'a-6', 4)),
    );
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(new Set(results.map((r) => r.version))).toEqual(new Set([1n]));
    expect((await eventsOf('a-6')).length - before).toBe(1);
  });

  it('forgets keys after the retention and prunes them', async () => {
    await deposit(ctx('acme', 'k-7', 'a-7:1'), 'a-7', 1);
    clock = new Date(clock.getTime() + 8 * DAY);
    const reused = await deposit(ctx('acme', 'k-7', 'a-7:2'), 'a-7', 2);
    expect(reused).toMatchObject({ replayed: false, state: { balance: 3 } });
    clock = new Date(clock.getTime() + 8 * DAY);
    const keys = () =>
      ledger.db.transaction(async (tx) => {
        const { rows } = await tx.query<{ n: bigint }>(
          'SELECT count(*)::bigint AS n FROM ledger.idempotency_keys',
        );
        return Number(rows[0]!.n);
      }, asRelayRole());
    expect(await keys()).toBeGreaterThan(0);
    const pruned = await pruneIdempotencyKeys(ledger.db, LEDGER, {
      now: clock,
      retentionMs: 7 * DAY,
      batchSize: 2,
    });
    expect(pruned).toBeGreaterThan(2);
    expect(await keys()).toBe(0);
  });

  it('is pruned by the scheduled event retention with the other event tables', async () => {
    await deposit(ctx('acme', 'k-9', 'a-9:1'), 'a-9', 1);
    const early = await pruneEventTables(ledger.db, {
      schema: LEDGER,
      now: () => clock,
      idempotencyRetentionMs: 7 * DAY,
    });
    expect(early.idempotencyKeysDeleted).toBe(0);
    const later = await pruneEventTables(ledger.db, {
      schema: LEDGER,
      now: () => new Date(clock.getTime() + 8 * DAY),
      idempotencyRetentionMs: 7 * DAY,
    });
    expect(later.idempotencyKeysDeleted).toBe(1);
  });

  it('lets the app role read its own keys only and never delete them', async () => {
    await deposit(ctx('acme', 'k-8', 'a-8:1'), 'a-8', 1);
    const seen = await withTenant(ledger.db, { tenantId: 'globex' }, async (tx) => {
      const { rows } = await tx.query<{ key: string }>('SELECT key FROM ledger.idempotency_keys');
      return rows.map((r) => r.key);
    });
    expect(seen).not.toContain('k-8');
    const err = await withTenant(ledger.db, { tenantId: 'acme' }, (tx) =>
      tx.query('DELETE FROM ledger.idempotency_keys'),
    ).catch((e: unknown) => e);
    expect(String(err)).toMatch(/permission denied/);
  });

  it('refuses keys with control characters or over the length limit', () => {
    expect(() => idempotencyOf({ key: 'a\u0000b', command: 'X', request: '' })).toThrow(
      /idempotency-key is not a valid idempotency key/,
    );
    expect(() => idempotencyOf({ key: 'k'.repeat(513), command: 'X', request: '' })).toThrow(
      /not a valid idempotency key/,
    );
    const a = idempotencyOf({ key: 'k', command: 'A', request: 'r' });
    const b = idempotencyOf({ key: 'k', command: 'B', request: 'r' });
    expect(a!.fingerprint).not.toBe(b!.fingerprint);
  });
});
