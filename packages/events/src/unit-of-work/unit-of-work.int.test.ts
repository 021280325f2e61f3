import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAmeideError, type AmeideError } from '@ameide/errors';
import { withTenant } from '@ameide/persistence';
import {
  asRelayRole,
  createUnitOfWork,
  LOG_START,
  readOutbox,
  type UnitOfWork,
} from '@ameide/events';
import { accountStore, accountStoreTwoStatements, deposit, LEDGER } from '../testing/ledger.js';
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

describe.each<Engine>(['postgres', 'pglite'])('unit of work (%s)', (engine) => {
  let ledger: LedgerDatabase;
  let uow: UnitOfWork;
  const outboxAll = () =>
    ledger.db.transaction(
      (tx) => readOutbox(tx, LEDGER, 'ledger', LOG_START, 10_000),
      asRelayRole(),
    );

  beforeAll(async () => {
    ledger = await openLedgerDatabase(engine, `uow_${engine}`, { ownServer: true });
    uow = createUnitOfWork({ db: ledger.db, domain: 'ledger' });
  });
  afterAll(() => ledger.close());

  it('commits the state change and its events together, versioned per aggregate', async () => {
    const first = await deposit(uow, 'acme', 'a-1', 10);
    expect(first.version).toBe(2n);
    expect(first.events.map((e) => [e.type, e.aggregateVersion, e.schemaVersion])).toEqual([
      ['ledger.account.opened.v1', 1n, 1],
      ['ledger.account.deposited.v1', 2n, 1],
    ]);
    const second = await deposit(uow, 'acme', 'a-1', 5);
    expect(second).toMatchObject({ state: { balance: 15 }, version: 3n });
    const logged = (await outboxAll()).filter((e) => e.envelope.aggregateId === 'a-1');
    expect(logged.map((e) => e.envelope.aggregateVersion)).toEqual([1n, 2n, 3n]);
    expect(logged[2]!.envelope).toMatchObject({
      tenantId: 'acme',
      domain: 'ledger',
      payload: { amount: 5 },
      correlationId: 'deposit-a-1',
    });
  });

  it('writes neither state nor events when the command is refused', async () => {
    const before = (await outboxAll()).length;
    const refused = await refusal(deposit(uow, 'acme', 'a-2', 10, { fail: true }));
    expect(refused.code).toBe('failed_precondition');
    expect((await outboxAll()).length).toBe(before);
    const state = await uow.read({ tenantId: 'acme' }, (tx) =>
      tx.query(`SELECT * FROM ledger.accounts WHERE account_id = 'a-2'`),
    );
    expect(state.rowCount).toBe(0);
  });

  it('refuses, as internal, a save whose versions the outbox already holds, and writes nothing', async () => {
    await deposit(uow, 'acme', 'stray', 10);
    // An outbox row for the next version that no save wrote (a damaged log).
    await ledger.db.query(
      `INSERT INTO ledger.outbox (event_id, tenant_id, aggregate_type, aggregate_id, aggregate_version, type, schema_version, payload, correlation_id, occurred_at)
       VALUES (gen_random_uuid(), 'acme', 'account', 'stray', 3, 'ledger.account.deposited.v1', 1, '{}', 'c', now())`,
    );
    const refused = await refusal(deposit(uow, 'acme', 'stray', 5));
    expect(refused).toMatchObject({ code: 'internal' });
    expect(refused.message).toMatch(/already holds versions 3\.\.3/);
    const { rows } = await uow.read({ tenantId: 'acme' }, (tx) =>
      tx.query<{ balance: bigint; version: bigint }>(
        `SELECT balance, version FROM ledger.accounts WHERE account_id = 'stray'`,
      ),
    );
    expect(rows[0]).toEqual({ balance: 10n, version: 2n });
  });

  it('refuses a stale expected version with aborted, carrying both versions, and writes nothing', async () => {
    await deposit(uow, 'acme', 'a-3', 1);
    const stale = await refusal(
      uow.execute(
        { tenantId: 'acme', correlationId: 'c' },
        accountStore,
        'a-3',
        () => ({
          state: { balance: 99 },
          events: [{ type: 'ledger.account.deposited.v1', payload: { amount: 98 } }],
        }),
        { expectedVersion: 1n },
      ),
    );
    expect(stale).toMatchObject({
      code: 'aborted',
      conflict: { expectedVersion: 1n, actualVersion: 2n, subjectId: 'a-3' },
    });
    const { rows } = await uow.read({ tenantId: 'acme' }, (tx) =>
      tx.query<{ balance: bigint }>(`SELECT balance FROM ledger.accounts WHERE account_id = 'a-3'`),
    );
    expect(rows[0]!.balance).toBe(1n);
  });

  it('keeps tenants apart: state and outbox rows of one tenant are invisible to another', async () => {
    await deposit(uow, 'globex', 'g-1', 7);
    const seenByAcme = await withTenant(ledger.db, { tenantId: 'acme' }, (tx) =>
      tx.query(`SELECT 1 FROM ledger.outbox WHERE aggregate_id = 'g-1'`),
    );
    expect(seenByAcme.rowCount).toBe(0);
    // The same account id in another tenant is another aggregate.
    const acmeG1 = await deposit(uow, 'acme', 'g-1', 3);
    expect(acmeG1.version).toBe(2n);
    const all = await outboxAll();
    expect(
      new Set(all.filter((e) => e.envelope.aggregateId === 'g-1').map((e) => e.envelope.tenantId)),
    ).toEqual(new Set(['acme', 'globex']));
  });

  it("lets the relay role read every tenant's outbox but no domain state, and the app role no relay progress", async () => {
    const asRelay = (sql: string) => ledger.db.transaction((tx) => tx.query(sql), asRelayRole());
    await expect(asRelay(`SELECT * FROM ledger.accounts`)).rejects.toThrow(/permission denied/);
    await expect(
      withTenant(ledger.db, { tenantId: 'acme' }, (tx) =>
        tx.query(`SELECT * FROM ledger.relay_progress`),
      ),
    ).rejects.toThrow(/permission denied/);
    await expect(
      withTenant(ledger.db, { tenantId: 'acme' }, (tx) =>
        tx.query(`UPDATE ledger.outbox SET type = 'x'`),
      ),
    ).rejects.toThrow(/permission denied/);
    const { rows } = await asRelay(`SELECT DISTINCT tenant_id FROM ledger.outbox ORDER BY 1`);
    expect(rows).toEqual([{ tenant_id: 'acme' }, { tenant_id: 'globex' }]);
  });
});

describe.each([
  ['one statement (saveStatement)', accountStore],
  ['two statements', accountStoreTwoStatements],
] as const)('unit of work under concurrency (postgres, %s)', (_label, store) => {
  let ledger: LedgerDatabase;
  beforeAll(async () => {
    ledger = await openLedgerDatabase(
      'postgres',
      `uow_concurrency_${store === accountStore ? 1 : 2}`,
    );
  });
  afterAll(() => ledger.close());

  it('never loses an update under concurrent commands on one aggregate: each lands once or is refused as a conflict', async () => {
    const uow = createUnitOfWork({ db: ledger.db, domain: 'ledger' });
    await deposit(uow, 'acme', 'hot', 1, { store });
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, () => deposit(uow, 'acme', 'hot', 1, { store })),
    );
    const landed = results.filter((r) => r.status === 'fulfilled').length;
    for (const r of results) {
      if (r.status === 'rejected')
        expect(r.reason).toMatchObject({ code: 'aborted', reason: 'VERSION_CONFLICT' });
    }
    expect(landed).toBeGreaterThan(0);
    const { rows } = await uow.read({ tenantId: 'acme' }, (tx) =>
      tx.query<{ balance: bigint; version: bigint }>(
        `SELECT balance, version FROM ledger.accounts WHERE account_id = 'hot'`,
      ),
    );
    expect(rows[0]).toEqual({ balance: BigInt(1 + landed), version: BigInt(2 + landed) });
    const versions = await uow.read({ tenantId: 'acme' }, (tx) =>
      tx.query<{ v: bigint }>(
        `SELECT aggregate_version AS v FROM ledger.outbox WHERE aggregate_id = 'hot' ORDER BY 1`,
      ),
    );
    expect(versions.rows.map((r) => Number(r.v))).toEqual(
      Array.from({ length: 2 + landed }, (_, i) => i + 1),
    );
  });
});
