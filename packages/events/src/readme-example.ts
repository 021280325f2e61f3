import assert from 'node:assert/strict';
import {
  createConsumer,
  createPostgresTransport,
  createUnitOfWork,
  ensureRelayRole,
  eventTablesMigration,
  type AggregateStore,
} from '@ameide/events';
import { createPgliteDatabase, ensureAppRole, migrate, migratePlatform } from '@ameide/persistence';

// Embedded default: PGlite, and the Postgres transport (consumers read the outbox).
const db = await createPgliteDatabase();
await ensureAppRole(db);
await ensureRelayRole(db); // the plumbing's own role: reads every tenant's outbox, nothing else
await migratePlatform(db);
await migrate(db, {
  schema: 'shop',
  migrations: [
    {
      version: 1,
      name: 'carts',
      sql: `CREATE TABLE shop.carts (tenant_id text NOT NULL, id text NOT NULL, items int NOT NULL, version bigint NOT NULL,
              PRIMARY KEY (tenant_id, id));
            SELECT ameide.enable_tenant_rls('shop.carts');
            CREATE TABLE shop.seen (tenant_id text NOT NULL, event_type text NOT NULL);
            SELECT ameide.enable_tenant_rls('shop.seen');`,
    },
    eventTablesMigration('shop', 2), // outbox, relay/consumer progress, inbox, dead letters
  ],
});

// Where the Cart aggregate lives.
const carts: AggregateStore<{ items: number }> = {
  aggregateType: 'cart',
  async load(tx, id) {
    const { rows } = await tx.query<{ items: number; version: bigint }>(
      `SELECT items, version FROM shop.carts WHERE id = $1`,
      [id],
    );
    return rows[0] && { state: { items: rows[0].items }, version: rows[0].version };
  },
  async save(tx, id, state, expected, next) {
    const sql =
      expected === 0n
        ? `INSERT INTO shop.carts VALUES (current_setting('app.tenant_id'), $1, $2, $3) ON CONFLICT DO NOTHING`
        : `UPDATE shop.carts SET items = $2, version = $3 WHERE id = $1 AND version = $4`;
    const { rowCount } = await tx.query(
      sql,
      expected === 0n ? [id, state.items, next] : [id, state.items, next, expected],
    );
    return rowCount === 1;
  },
};

// A command: load, decide, commit state + outbox rows in one tenant transaction.
const uow = createUnitOfWork({ db, domain: 'shop' });
const added = await uow.execute(
  { tenantId: 'acme', correlationId: 'req-1' },
  carts,
  'cart-1',
  (current) => ({
    state: { items: (current?.state.items ?? 0) + 1 },
    events: [{ type: 'shop.cart.item_added.v1', payload: { sku: 'TEA' } }],
  }),
);
assert.equal(added.version, 1n);

// A consumer: at-least-once, idempotent (inbox), in order per aggregate,
// running in the event's tenant.
const consumer = createConsumer({
  name: 'seen_items',
  domain: 'shop',
  transport: createPostgresTransport({ db }),
  db,
  schema: 'shop',
  handle: async (event, tx) => {
    await tx.query(`INSERT INTO shop.seen VALUES (current_setting('app.tenant_id'), $1)`, [
      event.type,
    ]);
  },
});
assert.deepEqual(await consumer.runOnce(), ['processed']);
const { rows } = await db.query(`SELECT tenant_id, event_type FROM shop.seen`);
assert.deepEqual(rows, [{ tenant_id: 'acme', event_type: 'shop.cart.item_added.v1' }]);
await db.close();
