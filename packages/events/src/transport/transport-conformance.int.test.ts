// One suite, every transport: what a consumer can rely on whichever carries
// the events (the embedded Postgres log, or NATS JetStream or Kafka behind the relay).
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '@ameide/persistence';
import {
  createConsumer,
  createUpcasterChain,
  createUnitOfWork,
  listDeadLetters,
  requestReplay,
  type Consumer,
  type ConsumerOptions,
  type UnitOfWork,
} from '@ameide/events';
import { deposit, LEDGER, recordEffect } from '../testing/ledger.js';
import {
  openTransportSetup,
  type TransportKind,
  type TransportSetup,
} from '../testing/ledger-fixture.js';

interface EffectRow {
  tenant_id: string;
  event_id: string;
  account_id: string;
  version: bigint;
  seen_tenant: string;
}

async function eventually<T>(
  what: string,
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what}; last value: ${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`,
      );
    await sleep(50);
  }
}

describe.each<TransportKind>(['postgres-on-postgres', 'postgres-on-pglite', 'nats', 'kafka'])(
  'transport conformance: %s',
  (kind) => {
    let setup: TransportSetup;
    let uow: UnitOfWork;
    const running: Consumer[] = [];

    const consumer = (name: string, extra: Partial<ConsumerOptions> = {}): Consumer => {
      const c = createConsumer({
        name,
        domain: 'ledger',
        transport: setup.transport,
        db: setup.ledger.db,
        schema: LEDGER,
        handle: (event, tx) => recordEffect(name, event, tx),
        waitMs: 200,
        backoffMs: 5,
        gapRetryMs: 100,
        ...extra,
      });
      running.push(c);
      return c;
    };
    const effects = async (name: string): Promise<EffectRow[]> => {
      const { rows } = await setup.ledger.db.query<EffectRow>(
        `SELECT tenant_id, event_id, account_id, version, seen_tenant FROM ledger.effects WHERE consumer = $1 ORDER BY applied_seq`,
        [name],
      );
      return rows;
    };
    const outboxCount = async (filter = 'true'): Promise<number> => {
      const { rows } = await setup.ledger.db.query<{ n: bigint }>(
        `SELECT count(*) AS n FROM ledger.outbox WHERE ${filter}`,
      );
      return Number(rows[0]!.n);
    };

    beforeAll(async () => {
      setup = await openTransportSetup(kind, `conf_${kind}`);
      uow = createUnitOfWork({ db: setup.ledger.db, domain: 'ledger' });
    });
    afterAll(async () => {
      for (const c of running) await c.stop();
      await setup?.close();
    });

    it("delivers every committed event once per consumer, in order per aggregate, in its own tenant's context, and none of a refused command", async () => {
      const refused: Promise<unknown>[] = [];
      await Promise.all(
        Array.from({ length: 20 }, async (_, a) => {
          for (let i = 0; i < 8; i++) {
            await deposit(uow, a % 2 ? 'acme' : 'globex', `acct-${a}`, i + 1);
            if (i === 3)
              refused.push(
                deposit(uow, 'acme', `acct-${a}`, 1, { fail: true }).catch(() => 'refused'),
              );
          }
        }),
      );
      expect(await Promise.all(refused)).toEqual(Array(20).fill('refused'));
      const c = consumer('c_main');
      await c.start();
      const total = await outboxCount();
      expect(total).toBe(20 * 9);
      const rows = await eventually(
        'all effects',
        () => effects('c_main'),
        (r) => r.length >= total,
      );
      expect(rows.length).toBe(total);
      expect(new Set(rows.map((r) => r.event_id)).size).toBe(total);
      expect(rows.every((r) => r.seen_tenant === r.tenant_id)).toBe(true);
      const byAggregate = new Map<string, bigint[]>();
      for (const r of rows)
        byAggregate.set(`${r.tenant_id}/${r.account_id}`, [
          ...(byAggregate.get(`${r.tenant_id}/${r.account_id}`) ?? []),
          r.version,
        ]);
      for (const versions of byAggregate.values())
        expect(versions).toEqual(versions.map((_, i) => BigInt(i + 1)));
      await c.stop();
    });

    it('has no second effect when every event is delivered again (restart from the start)', async () => {
      const before = await effects('c_main');
      await setup.rewind('c_main');
      await deposit(uow, 'acme', 'acct-late', 5);
      const c = consumer('c_main');
      await c.start();
      const rows = await eventually(
        'the late event',
        () => effects('c_main'),
        (r) => r.filter((e) => e.account_id === 'acct-late').length === 2,
      );
      await eventually(
        'redeliveries seen as duplicates',
        () => Promise.resolve(c.stats().duplicate),
        (n) => n >= before.length,
      );
      expect(rows.length).toBe(before.length + 2);
      expect(new Set((await effects('c_main')).map((r) => r.event_id)).size).toBe(
        before.length + 2,
      );
      await c.stop();
    });

    it('dead-letters a poison event after N attempts, parks its aggregate, keeps others flowing, and replays after a fix', async () => {
      let broken = true;
      let poisonCalls = 0;
      const name = 'c_poison';
      const c = consumer(name, {
        maxAttempts: 3,
        handle: async (event, tx) => {
          if (event.aggregateId === 'poison' && broken) {
            poisonCalls++;
            throw new Error('handler bug');
          }
          await recordEffect(name, event, tx);
        },
      });
      await c.start();
      await deposit(uow, 'acme', 'poison', 1); // versions 1 (opened) and 2
      await deposit(uow, 'acme', 'poison', 2); // version 3
      await deposit(uow, 'acme', 'healthy', 1);
      await eventually(
        'healthy account handled',
        () => effects(name),
        (r) => r.some((e) => e.account_id === 'healthy' && e.version === 2n),
      );
      const letters = await eventually(
        'dead letters of the poison aggregate',
        () => listDeadLetters({ db: setup.ledger.db, schema: LEDGER }, { consumer: name }),
        (l) => l.filter((d) => d.aggregateId === 'poison').length === 3,
      );
      const poison = letters.filter((d) => d.aggregateId === 'poison');
      expect(poison.map((d) => [d.aggregateVersion, d.reason, d.status])).toEqual([
        [1n, 'failed', 'open'],
        [2n, 'parked', 'open'],
        [3n, 'parked', 'open'],
      ]);
      expect(poison[0]).toMatchObject({ attempts: 3, error: 'handler bug', tenantId: 'acme' });
      expect(poisonCalls).toBe(3);
      expect((await effects(name)).some((e) => e.account_id === 'poison')).toBe(false);

      // Later events of the aggregate park behind it too, until the replay.
      await deposit(uow, 'acme', 'poison', 3); // version 4
      await eventually(
        'version 4 parked',
        () => listDeadLetters({ db: setup.ledger.db, schema: LEDGER }, { consumer: name }),
        (l) => l.some((d) => d.aggregateVersion === 4n),
      );
      broken = false;
      const marked = await requestReplay(
        { db: setup.ledger.db, schema: LEDGER },
        { ids: [poison[0]!.id] },
      );
      expect(marked.length).toBe(4);
      await eventually(
        'replayed in order',
        () => effects(name),
        (r) => r.filter((e) => e.account_id === 'poison').length === 4,
      );
      expect(
        (await effects(name)).filter((e) => e.account_id === 'poison').map((e) => e.version),
      ).toEqual([1n, 2n, 3n, 4n]);
      // Unblocked: the next event runs directly.
      await deposit(uow, 'acme', 'poison', 4);
      await eventually(
        'version 5 handled directly',
        () => effects(name),
        (r) => r.some((e) => e.account_id === 'poison' && e.version === 5n),
      );
      expect(
        (
          await listDeadLetters(
            { db: setup.ledger.db, schema: LEDGER },
            { consumer: name, status: 'open' },
          )
        ).length,
      ).toBe(0);
      await c.stop();
    });

    it('dead-letters an event whose tenant is missing or malformed without running the handler, and goes on', async () => {
      const name = 'c_tenant';
      let calls = 0;
      const c = consumer(name, {
        handle: async (event, tx) => {
          calls++;
          await recordEffect(name, event, tx);
        },
      });
      // Written around the unit of work (as the owner), as a buggy producer might.
      for (const [tenant, id] of [
        ['bad tenant!', 'x-1'],
        ['', 'x-2'],
      ] as const) {
        await setup.ledger.db.query(
          `INSERT INTO ledger.outbox (event_id, tenant_id, aggregate_type, aggregate_id, aggregate_version, type, schema_version, payload, correlation_id, occurred_at)
         VALUES (gen_random_uuid(), $1, 'account', $2, 1, 'ledger.account.opened.v1', 1, '{}', 'c', now())`,
          [tenant, id],
        );
      }
      await deposit(uow, 'globex', 'after-bad', 1);
      await c.start();
      await eventually(
        'the good event',
        () => effects(name),
        (r) => r.some((e) => e.account_id === 'after-bad'),
      );
      const rejected = await eventually(
        'two rejections',
        () => listDeadLetters({ db: setup.ledger.db, schema: LEDGER }, { consumer: name }),
        (l) => l.filter((d) => d.reason === 'rejected').length === 2,
      );
      expect(
        rejected.every(
          (d) => d.tenantId === undefined && /tenant missing or malformed/.test(d.error),
        ),
      ).toBe(true);
      await c.stop();
      expect((await effects(name)).some((e) => e.account_id.startsWith('x-'))).toBe(false);
      expect(calls).toBe((await effects(name)).length);
      // A rejected letter is not replayable: it has no tenant to run under.
      expect(
        await requestReplay(
          { db: setup.ledger.db, schema: LEDGER },
          { ids: rejected.map((d) => d.id) },
        ),
      ).toEqual([]);
      await c.stop();
    });

    it('hands the handler the newest schema of an event, upcast from what was stored', async () => {
      const name = 'c_upcast';
      const seen: unknown[] = [];
      const c = consumer(name, {
        types: ['ledger.account.deposited.v2'],
        upcasters: createUpcasterChain([
          {
            from: 'ledger.account.deposited.v1',
            upcast: (p) => ({ amountMinor: String((p as { amount: number }).amount * 100) }),
          },
        ]),
        handle: (event) => {
          if (event.aggregateId === 'upcast-me')
            seen.push([event.type, event.schemaVersion, event.payload]);
          return Promise.resolve();
        },
      });
      await deposit(uow, 'acme', 'upcast-me', 7);
      await c.start();
      await eventually(
        'the upcast deposit',
        () => Promise.resolve(seen.length),
        (n) => n >= 1,
      );
      await c.stop();
      expect(seen).toEqual([['ledger.account.deposited.v2', 2, { amountMinor: '700' }]]);
    });

    it("runs the handler under the event's tenant: it sees that tenant's rows only", async () => {
      const name = 'c_rls';
      const seen: Array<[string, string[]]> = [];
      const c = consumer(name, {
        handle: async (event, tx) => {
          const { rows } = await tx.query<{ tenant_id: string }>(
            `SELECT DISTINCT tenant_id FROM ledger.accounts`,
          );
          seen.push([event.tenantId, rows.map((r) => r.tenant_id)]);
        },
        types: ['ledger.account.deposited.v1'],
      });
      await c.start();
      await eventually(
        'every deposit seen',
        () => Promise.resolve(seen.length),
        (n) => n >= 20 * 8 + 1,
      );
      expect(seen.every(([tenant, visible]) => visible.length === 1 && visible[0] === tenant)).toBe(
        true,
      );
      // Still in the app role: another tenant's row cannot be written.
      const other = await withTenant(setup.ledger.db, { tenantId: 'acme' }, (tx) =>
        tx.query(`SELECT 1 FROM ledger.accounts WHERE tenant_id = 'globex'`),
      );
      expect(other.rowCount).toBe(0);
      await c.stop();
    });
  },
);
