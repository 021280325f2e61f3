import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createTenantStore,
  DEFAULT_APP_ROLE,
  ensureAppRole,
  isPersistenceError,
  migrate,
  migratePlatform,
  sqlStateOf,
  tenantTableSql,
  withTenant,
  type Database,
  type Migration,
  type Transaction,
} from '@ameide/persistence';
import { engines, type EngineFixture } from '../engines.test-support.js';

// Two tenant tables, one made so from plain SQL (as a .sql file would), one
// through tenantTableSql; ids from an identity column and a serial.
const salesMigrations: Migration[] = [
  {
    version: 1,
    name: 'create_customers',
    sql: `
      CREATE TABLE customers (
        tenant_id text NOT NULL,
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name text NOT NULL
      );
      SELECT ameide.enable_tenant_rls('customers');`,
  },
  {
    version: 2,
    name: 'create_orders',
    sql:
      `CREATE TABLE orders (
        tenant_id text NOT NULL,
        id serial,
        customer_id bigint NOT NULL,
        total numeric NOT NULL,
        PRIMARY KEY (tenant_id, id)
      );\n` + tenantTableSql({ schema: 'sales', table: 'orders' }),
  },
];

const A = 'acme';
const B = 'globex';

interface Seeded {
  readonly customerId: bigint;
  readonly orderId: number;
}

type RunAs = <R>(tenantId: string, fn: (tx: Transaction) => Promise<R>) => Promise<R>;

/** Raw SQL: what withTenant does, spelled out, so the policies are tested on their own. */
function rawAppRole(
  db: Database,
  tenantId: string | undefined,
): <R>(fn: (tx: Transaction) => Promise<R>) => Promise<R> {
  return (fn) =>
    db.transaction(async (tx) => {
      await tx.query(`SET LOCAL ROLE ${DEFAULT_APP_ROLE}`);
      if (tenantId !== undefined)
        await tx.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
      return fn(tx);
    });
}

async function refusal(promise: Promise<unknown>): Promise<string | undefined> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error === undefined) throw new Error('expected the statement to be refused');
  return sqlStateOf(error);
}

describe.each(engines)('tenant isolation on $kind', (engine) => {
  let fixture: EngineFixture;
  let db: Database;
  const seeded = new Map<string, Seeded>();

  beforeAll(async () => {
    fixture = await engine.open('tenant_isolation');
    db = fixture.db;
    await ensureAppRole(db);
    await migratePlatform(db);
    await migrate(db, { schema: 'sales', migrations: salesMigrations });
  });
  afterAll(() => fixture.cleanup());

  beforeEach(async () => {
    await db.exec('TRUNCATE sales.customers, sales.orders');
    for (const [tenantId, name] of [
      [A, 'Acme Corp'],
      [B, 'Globex'],
    ] as const) {
      const row = await withTenant(db, { tenantId }, async (tx) => {
        const customer = await tx.query<{ id: bigint }>(
          'INSERT INTO sales.customers (tenant_id, name) VALUES ($1, $2) RETURNING id',
          [tenantId, name],
        );
        const customerId = customer.rows[0]?.id ?? -1n;
        const order = await tx.query<{ id: number }>(
          'INSERT INTO sales.orders (tenant_id, customer_id, total) VALUES ($1, $2, 100), ($1, $2, 200) RETURNING id',
          [tenantId, customerId],
        );
        return { customerId, orderId: order.rows[0]?.id ?? -1 };
      });
      seeded.set(tenantId, row);
    }
  });

  /** Ground truth, read as the superuser owner (bypasses RLS). */
  const all = async (table: string): Promise<Record<string, unknown>[]> =>
    (await db.query(`SELECT * FROM sales.${table} ORDER BY tenant_id, id`)).rows;
  const other = (tenantId: string): Seeded =>
    seeded.get(tenantId === A ? B : A) ?? { customerId: -1n, orderId: -1 };

  const paths: ReadonlyArray<{ name: string; runAs: (db: Database) => RunAs }> = [
    { name: 'withTenant', runAs: (db) => (tenantId, fn) => withTenant(db, { tenantId }, fn) },
    {
      name: 'raw SQL under the app role',
      runAs: (db) => (tenantId, fn) => rawAppRole(db, tenantId)(fn),
    },
    {
      name: 'a tenant store',
      runAs: (db) => async (tenantId, fn) =>
        (await createTenantStore(db)).withTenant({ tenantId }, fn),
    },
  ];

  describe.each(paths)('through $name', ({ runAs }) => {
    const as =
      (tenantId: string): (<R>(fn: (tx: Transaction) => Promise<R>) => Promise<R>) =>
      (fn) =>
        runAs(db)(tenantId, fn);

    it('shows each tenant only its own rows, in every tenant table', async () => {
      for (const tenantId of [A, B]) {
        const { customers, orders } = await as(tenantId)(async (tx) => ({
          customers: (
            await tx.query<{ tenant_id: string }>('SELECT tenant_id FROM sales.customers')
          ).rows,
          orders: (await tx.query<{ tenant_id: string }>('SELECT tenant_id FROM sales.orders'))
            .rows,
        }));
        expect(customers).toEqual([{ tenant_id: tenantId }]);
        expect(orders).toEqual([{ tenant_id: tenantId }, { tenant_id: tenantId }]);
      }
    });

    it('finds no row of the other tenant, even by its key', async () => {
      const theirs = other(A);
      const found = await as(A)(async (tx) => [
        (await tx.query('SELECT * FROM sales.customers WHERE id = $1', [theirs.customerId]))
          .rowCount,
        (await tx.query('SELECT * FROM sales.orders WHERE tenant_id = $1', [B])).rowCount,
        (await tx.query('SELECT * FROM sales.orders WHERE customer_id = $1', [theirs.customerId]))
          .rowCount,
      ]);
      expect(found).toEqual([0, 0, 0]);
    });

    it("changes none of the other tenant's rows by update or delete", async () => {
      const before = { customers: await all('customers'), orders: await all('orders') };
      const theirs = other(A);
      const changed = await as(A)(async (tx) => [
        (
          await tx.query(`UPDATE sales.customers SET name = 'hijacked' WHERE id = $1`, [
            theirs.customerId,
          ])
        ).rowCount,
        (await tx.query(`UPDATE sales.orders SET total = 0 WHERE tenant_id = $1`, [B])).rowCount,
        (await tx.query('DELETE FROM sales.customers WHERE id = $1', [theirs.customerId])).rowCount,
        (await tx.query('DELETE FROM sales.orders WHERE tenant_id <> $1', [A])).rowCount,
      ]);
      expect(changed).toEqual([0, 0, 0, 0]);
      expect({ customers: await all('customers'), orders: await all('orders') }).toEqual(before);
    });

    it("refuses to insert a row carrying the other tenant's id", async () => {
      const state = await refusal(
        as(A)((tx) =>
          tx.query(`INSERT INTO sales.customers (tenant_id, name) VALUES ($1, 'planted')`, [B]),
        ),
      );
      expect(state).toBe('42501');
      const stateOrders = await refusal(
        as(A)((tx) =>
          tx.query('INSERT INTO sales.orders (tenant_id, customer_id, total) VALUES ($1, 1, 1)', [
            B,
          ]),
        ),
      );
      expect(stateOrders).toBe('42501');
      expect((await all('customers')).filter((r) => r['name'] === 'planted')).toEqual([]);
      expect(await all('orders')).toHaveLength(4);
    });

    it('refuses to move an own row to the other tenant', async () => {
      const mine = seeded.get(A)?.customerId;
      const state = await refusal(
        as(A)((tx) =>
          tx.query('UPDATE sales.customers SET tenant_id = $1 WHERE id = $2', [B, mine]),
        ),
      );
      expect(state).toBe('42501');
      expect((await all('customers')).map((r) => r['tenant_id'])).toEqual([A, B]);
    });

    it('can read and change its own rows', async () => {
      const changed = await as(A)(async (tx) => {
        const update = await tx.query('UPDATE sales.orders SET total = total + 1');
        const del = await tx.query('DELETE FROM sales.orders WHERE id = $1', [
          seeded.get(A)?.orderId,
        ]);
        return [update.rowCount, del.rowCount];
      });
      expect(changed).toEqual([2, 1]);
      expect((await all('orders')).map((r) => [r['tenant_id'], r['total']])).toEqual([
        [A, '201'],
        [B, '100'],
        [B, '200'],
      ]);
    });
  });

  it('shows the app role no rows and accepts no insert when no tenant is set', async () => {
    const asNobody = rawAppRole(db, undefined);
    const seen = await asNobody(async (tx) => [
      (await tx.query('SELECT * FROM sales.customers')).rowCount,
      (await tx.query('SELECT * FROM sales.orders')).rowCount,
      (await tx.query('UPDATE sales.orders SET total = 0')).rowCount,
      (await tx.query('DELETE FROM sales.customers')).rowCount,
    ]);
    expect(seen).toEqual([0, 0, 0, 0]);
    expect(
      await refusal(
        asNobody((tx) =>
          tx.query(`INSERT INTO sales.customers (tenant_id, name) VALUES ('acme', 'x')`),
        ),
      ),
    ).toBe('42501');
    // A tenant setting that is empty (what a session reads after an earlier
    // transaction set it) must not match rows either.
    const asEmpty = rawAppRole(db, '');
    expect(
      await asEmpty(async (tx) => (await tx.query('SELECT * FROM sales.customers')).rowCount),
    ).toBe(0);
    expect(
      await refusal(
        asEmpty((tx) => tx.query(`INSERT INTO sales.customers (tenant_id, name) VALUES ('', 'x')`)),
      ),
    ).toBe('42501');
    expect(await all('customers')).toHaveLength(2);
  });

  it('leaves a reused connection with no tenant and no role after the transaction', async () => {
    // pg: a pool of one, so the next query gets the very same connection.
    const single = fixture.connect({ max: 1 });
    const identity = async (): Promise<Record<string, unknown> | undefined> =>
      (
        await single.query(
          `SELECT coalesce(current_setting('app.tenant_id', true), '') AS tenant,
                  current_user::text AS current_role, session_user::text AS session_role,
                  pg_backend_pid() AS pid`,
        )
      ).rows[0];
    const start = await identity();
    const inside = await withTenant(single, { tenantId: A }, async (tx) => {
      return (
        await tx.query(
          `SELECT current_setting('app.tenant_id') AS tenant, current_user::text AS current_role, pg_backend_pid() AS pid`,
        )
      ).rows[0];
    });
    expect(inside).toEqual({ tenant: A, current_role: DEFAULT_APP_ROLE, pid: start?.['pid'] });
    const after = await identity();
    expect(after).toEqual({
      tenant: '',
      current_role: start?.['session_role'],
      session_role: start?.['session_role'],
      pid: start?.['pid'],
    });

    await expect(
      withTenant(single, { tenantId: B }, async (tx) => {
        await tx.query('SELECT * FROM sales.orders');
        throw new Error('fails inside');
      }),
    ).rejects.toThrow('fails inside');
    expect(await identity()).toEqual(after);
    await single.close();
  });

  it('rolls back everything done for a tenant when the work throws', async () => {
    await expect(
      withTenant(db, { tenantId: A }, async (tx) => {
        await tx.query(`INSERT INTO sales.customers (tenant_id, name) VALUES ($1, 'temp')`, [A]);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await all('customers')).toHaveLength(2);
  });

  it('refuses an invalid tenant id before running anything', async () => {
    let ran = false;
    for (const tenantId of ['', ' acme', 'acme;drop', "a'b", 'x'.repeat(129), '-leading']) {
      const error: unknown = await withTenant(db, { tenantId }, () => {
        ran = true;
        return Promise.resolve();
      }).catch((e: unknown) => e);
      expect(isPersistenceError(error) && error.reason, JSON.stringify(tenantId)).toBe(
        'INVALID_TENANT_ID',
      );
    }
    expect(ran).toBe(false);
  });

  it('makes the tables tenant tables owned by the migration role, not the app role', async () => {
    const { rows } = await db.query(
      `SELECT c.relname::text AS table, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced,
              pg_get_userbyid(c.relowner) = current_user AS owned_by_migrator,
              has_table_privilege($1, c.oid, 'SELECT,INSERT,UPDATE,DELETE') AS app_can_use,
              EXISTS (SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                      WHERE i.indrelid = c.oid AND a.attname = 'tenant_id') AS tenant_index
         FROM pg_class c WHERE c.oid IN ('sales.customers'::regclass, 'sales.orders'::regclass) ORDER BY 1`,
      [DEFAULT_APP_ROLE],
    );
    const expected = {
      rls: true,
      forced: true,
      owned_by_migrator: true,
      app_can_use: true,
      tenant_index: true,
    };
    expect(rows).toEqual([
      { table: 'customers', ...expected },
      { table: 'orders', ...expected },
    ]);
  });

  it('refuses to make a table without a NOT NULL text tenant_id a tenant table', async () => {
    const error: unknown = await migrate(db, {
      schema: 'bad',
      migrations: [
        {
          version: 1,
          name: 'no_tenant',
          sql: `CREATE TABLE things (id int); SELECT ameide.enable_tenant_rls('things');`,
        },
      ],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('has no tenant_id column');
    const nullable: unknown = await migrate(db, {
      schema: 'bad2',
      migrations: [
        {
          version: 1,
          name: 'nullable',
          sql: `CREATE TABLE things (tenant_id text); SELECT ameide.enable_tenant_rls('things');`,
        },
      ],
    }).catch((e: unknown) => e);
    expect((nullable as Error).message).toContain('must be text NOT NULL');
  });
});
