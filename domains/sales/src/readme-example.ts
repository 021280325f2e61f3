import assert from 'node:assert/strict';
import { createPgliteDatabase } from '@ameide/persistence';
import { createSalesDomain, migrateSales, OrderStatus, orderTotal } from '@ameide/sales';

// Embedded default: PGlite. Against a server: createPgDatabase({ url }).
const db = await createPgliteDatabase();
await migrateSales(db); // roles, platform schema, sales tables, outbox + consumer tables

const sales = createSalesDomain({ db });
const ctx = { tenantId: 'acme', correlationId: 'readme' }; // the service takes both from the request context

const customer = await sales.createCustomer(ctx, {
  name: 'Ada',
  email: 'ada@example.com',
  creditLimit: { currency: 'EUR', amountMinor: 100_00n },
});
const order = await sales.createOrder(ctx, {
  customerId: customer.value.customerId,
  currency: 'EUR',
});
const id = order.value.orderId;
await sales.addLine(ctx, id, {
  sku: 'TEA',
  quantity: 3,
  unitPrice: { currency: 'EUR', amountMinor: 2_50n },
});
const confirmed = await sales.confirm(ctx, id);
assert.equal(confirmed.value.status, OrderStatus.Confirmed);
assert.equal(orderTotal(confirmed.value), 7_50n);

// Invariants are refused with a typed error and nothing is written.
await assert.rejects(
  sales.addLine(ctx, id, {
    sku: 'LATE',
    quantity: 1,
    unitPrice: { currency: 'EUR', amountMinor: 1n },
  }),
  {
    code: 'failed_precondition',
    reason: 'ORDER_NOT_DRAFT',
  },
);

// Every change left an event in the outbox, for the relay / Postgres transport.
const { rows } = await db.query<{ type: string }>(
  `SELECT type FROM sales.outbox WHERE aggregate_id = $1 ORDER BY aggregate_version`,
  [id],
);
assert.deepEqual(
  rows.map((r) => r.type),
  ['sales.order.created.v1', 'sales.order.line_added.v1', 'sales.order.confirmed.v1'],
);
await db.close();
