import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderStatus } from '@ameide/proto';
import { isAmeideError, type AmeideClient, type AmeideError } from '@ameide/sdk';
import type { Database } from '@ameide/persistence';
import type { ServiceHost } from '@ameide/server';
import { asRelayRole } from '@ameide/events';
import { openSalesDatabase, startSalesHost, type Engine } from '../testing/sales-fixture.js';

async function refusal(p: Promise<unknown>): Promise<AmeideError> {
  try {
    await p;
  } catch (error) {
    if (isAmeideError(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

const eur = (amountMinor: bigint) => ({ currency: 'EUR', amountMinor });

describe.each<Engine>(['postgres', 'pglite'])('sales API over the service host (%s)', (engine) => {
  let db: Database;
  let close: () => Promise<void>;
  let host: ServiceHost;
  let acme: AmeideClient;
  let globex: AmeideClient;
  const outboxTypes = async (aggregateId: string) =>
    (
      await db.transaction(
        (tx) =>
          tx.query<{ type: string }>(
            `SELECT type FROM sales.outbox WHERE aggregate_id = $1 ORDER BY aggregate_version`,
            [aggregateId],
          ),
        asRelayRole(),
      )
    ).rows.map((r) => r.type);
  const counts = async () =>
    (
      await db.transaction(
        (tx) => tx.query<{ events: bigint }>(`SELECT count(*) AS events FROM sales.outbox`),
        asRelayRole(),
      )
    ).rows[0]!;
  const stateCounts = async () =>
    (
      await db.query<{ o: bigint; c: bigint }>(
        `SELECT (SELECT count(*) FROM sales.orders) AS o, (SELECT count(*) FROM sales.customers) AS c`,
      )
    ).rows[0]!;

  beforeAll(async () => {
    ({ db, close } = await openSalesDatabase(engine, `sales_api_${engine}`));
    const platform = await startSalesHost(db);
    host = platform.host;
    acme = await platform.clientFor('acme');
    globex = await platform.clientFor('globex');
  });
  afterAll(async () => {
    await host.close();
    await close();
  });

  it('runs an order from draft to fulfilled, with totals in minor units and one event per change', async () => {
    const { customer } = await acme.customers.createCustomer({
      name: 'Ada',
      email: 'ada@example.com',
      creditLimit: eur(100_00n),
    });
    const { order } = await acme.orders.createOrder({
      customerId: customer!.customerId,
      currency: 'EUR',
    });
    expect(order).toMatchObject({ status: OrderStatus.DRAFT, version: 1n, total: eur(0n) });
    const id = order!.orderId;
    await acme.orders.addOrderLine({ orderId: id, sku: 'TEA', quantity: 3, unitPrice: eur(2_50n) });
    const { order: two } = await acme.orders.addOrderLine({
      orderId: id,
      sku: 'CUP',
      quantity: 1,
      unitPrice: eur(9_99n),
    });
    expect(two).toMatchObject({ total: eur(17_49n), version: 3n });
    const { order: one } = await acme.orders.removeOrderLine({
      orderId: id,
      lineId: two!.lines[1]!.lineId,
    });
    expect(one).toMatchObject({ total: eur(7_50n), lines: [{ sku: 'TEA', quantity: 3 }] });
    expect((await acme.orders.confirmOrder({ orderId: id })).order?.status).toBe(
      OrderStatus.CONFIRMED,
    );
    const { available } = await acme.customers.checkCredit({
      customerId: customer!.customerId,
      amount: eur(1n),
    });
    expect(available).toMatchObject(eur(92_50n));
    await acme.orders.recordPayment({ orderId: id, amount: eur(5_00n), paymentReference: 'psp-1' });
    // The same provider reference again is recorded once.
    const { order: again } = await acme.orders.recordPayment({
      orderId: id,
      amount: eur(5_00n),
      paymentReference: 'psp-1',
    });
    expect(again).toMatchObject({ paid: eur(5_00n), status: OrderStatus.CONFIRMED });
    const { order: paid } = await acme.orders.recordPayment({
      orderId: id,
      amount: eur(2_50n),
      paymentReference: 'psp-2',
    });
    expect(paid).toMatchObject({ paid: eur(7_50n), status: OrderStatus.PAID });
    const { order: done } = await acme.orders.markOrderFulfilled({ orderId: id });
    expect(done?.status).toBe(OrderStatus.FULFILLED);
    expect(await outboxTypes(id)).toEqual([
      'sales.order.created.v1',
      'sales.order.line_added.v1',
      'sales.order.line_added.v1',
      'sales.order.line_removed.v1',
      'sales.order.confirmed.v1',
      'sales.order.payment_recorded.v1',
      'sales.order.payment_recorded.v1',
      'sales.order.paid.v1',
      'sales.order.fulfilled.v1',
    ]);
    expect(await outboxTypes(customer!.customerId)).toEqual(['sales.customer.created.v1']);
  });

  it('enforces the invariants: no confirm of an empty order, no change after confirm, no overpayment, no fulfil before paid, credit limit', async () => {
    const { customer } = await acme.customers.createCustomer({
      name: 'Bob',
      email: 'bob@example.com',
      creditLimit: eur(10_00n),
    });
    const { order } = await acme.orders.createOrder({
      customerId: customer!.customerId,
      currency: 'EUR',
    });
    const id = order!.orderId;
    expect(await refusal(acme.orders.confirmOrder({ orderId: id }))).toMatchObject({
      code: 'failed_precondition',
      reason: 'ORDER_EMPTY',
    });
    await acme.orders.addOrderLine({ orderId: id, sku: 'BIG', quantity: 2, unitPrice: eur(6_00n) });
    expect(await refusal(acme.orders.confirmOrder({ orderId: id }))).toMatchObject({
      code: 'failed_precondition',
      reason: 'CREDIT_LIMIT_EXCEEDED',
    });
    const { order: withLine } = await acme.orders.removeOrderLine({
      orderId: id,
      lineId: (await acme.orders.getOrder({ orderId: id })).order!.lines[0]!.lineId,
    });
    expect(withLine?.lines).toEqual([]);
    await acme.orders.addOrderLine({ orderId: id, sku: 'OK', quantity: 1, unitPrice: eur(4_00n) });
    await acme.orders.confirmOrder({ orderId: id });
    const before = await counts();
    const frozen = await refusal(
      acme.orders.addOrderLine({ orderId: id, sku: 'LATE', quantity: 1, unitPrice: eur(1n) }),
    );
    expect(frozen).toMatchObject({
      code: 'failed_precondition',
      reason: 'ORDER_NOT_DRAFT',
      fieldViolations: [{ field: 'order_id' }],
    });
    expect(await refusal(acme.orders.markOrderFulfilled({ orderId: id }))).toMatchObject({
      code: 'failed_precondition',
      reason: 'ORDER_NOT_PAID',
    });
    const over = await refusal(
      acme.orders.recordPayment({ orderId: id, amount: eur(4_01n), paymentReference: 'x' }),
    );
    expect(over).toMatchObject({
      code: 'failed_precondition',
      reason: 'OVERPAYMENT',
      fieldViolations: [{ field: 'amount.amount_minor' }],
    });
    expect(await counts()).toEqual(before);
    await acme.orders.cancelOrder({ orderId: id, reason: 'changed mind' });
    expect(await refusal(acme.orders.cancelOrder({ orderId: id }))).toMatchObject({
      code: 'failed_precondition',
      reason: 'ORDER_NOT_CANCELLABLE',
    });
  });

  it('answers bad input with invalid_argument / not_found naming the field, and writes nothing', async () => {
    const { customer } = await acme.customers.createCustomer({
      name: 'Cy',
      email: 'cy@example.com',
      creditLimit: eur(50_00n),
    });
    const { order } = await acme.orders.createOrder({
      customerId: customer!.customerId,
      currency: 'EUR',
    });
    const eventsBefore = await counts();
    const stateBefore = await stateCounts();
    const cases: Array<[() => Promise<unknown>, string, string]> = [
      [
        () => acme.customers.createCustomer({ email: 'x@example.com', creditLimit: eur(1n) }),
        'invalid_argument',
        'name',
      ],
      [
        () => acme.customers.createCustomer({ name: 'X', email: 'nope', creditLimit: eur(1n) }),
        'invalid_argument',
        'email',
      ],
      [
        () => acme.customers.createCustomer({ name: 'X', email: 'x@example.com' }),
        'invalid_argument',
        'credit_limit',
      ],
      [
        () =>
          acme.customers.createCustomer({
            name: 'X',
            email: 'x@example.com',
            creditLimit: { currency: 'eur', amountMinor: 1n },
          }),
        'invalid_argument',
        'credit_limit.currency',
      ],
      [
        () =>
          acme.customers.createCustomer({
            name: 'X',
            email: 'x@example.com',
            creditLimit: eur(-1n),
          }),
        'invalid_argument',
        'credit_limit.amount_minor',
      ],
      [
        () =>
          acme.customers.createCustomer({
            name: 'Dup',
            email: 'CY@example.com',
            creditLimit: eur(1n),
          }),
        'already_exists',
        'email',
      ],
      [() => acme.orders.createOrder({ currency: 'EUR' }), 'invalid_argument', 'customer_id'],
      [
        () => acme.orders.createOrder({ customerId: customer!.customerId }),
        'invalid_argument',
        'currency',
      ],
      [
        () => acme.orders.createOrder({ customerId: customer!.customerId, currency: 'USD' }),
        'invalid_argument',
        'currency',
      ],
      [
        () =>
          acme.orders.createOrder({
            customerId: '0190a0a0-0000-7000-8000-000000000000',
            currency: 'EUR',
          }),
        'not_found',
        'customer_id',
      ],
      [
        () =>
          acme.orders.addOrderLine({
            orderId: order!.orderId,
            sku: 'A',
            quantity: -2,
            unitPrice: eur(1n),
          }),
        'invalid_argument',
        'quantity',
      ],
      [
        () =>
          acme.orders.addOrderLine({
            orderId: order!.orderId,
            sku: 'A',
            quantity: 0,
            unitPrice: eur(1n),
          }),
        'invalid_argument',
        'quantity',
      ],
      [
        () =>
          acme.orders.addOrderLine({ orderId: order!.orderId, quantity: 1, unitPrice: eur(1n) }),
        'invalid_argument',
        'sku',
      ],
      [
        () =>
          acme.orders.addOrderLine({
            orderId: order!.orderId,
            sku: 'A',
            quantity: 1,
            unitPrice: { currency: 'USD', amountMinor: 1n },
          }),
        'invalid_argument',
        'unit_price.currency',
      ],
      [
        () =>
          acme.orders.addOrderLine({
            orderId: order!.orderId,
            sku: 'A',
            quantity: 1,
            unitPrice: eur(-5n),
          }),
        'invalid_argument',
        'unit_price.amount_minor',
      ],
      [
        () =>
          acme.orders.addOrderLine({
            orderId: 'not-a-uuid',
            sku: 'A',
            quantity: 1,
            unitPrice: eur(1n),
          }),
        'invalid_argument',
        'order_id',
      ],
      [
        () =>
          acme.orders.addOrderLine({
            orderId: '0190a0a0-0000-7000-8000-000000000000',
            sku: 'A',
            quantity: 1,
            unitPrice: eur(1n),
          }),
        'not_found',
        'order_id',
      ],
      [
        () => acme.orders.removeOrderLine({ orderId: order!.orderId, lineId: 'nope' }),
        'not_found',
        'line_id',
      ],
      [
        () =>
          acme.orders.recordPayment({
            orderId: order!.orderId,
            amount: eur(0n),
            paymentReference: 'p',
          }),
        'invalid_argument',
        'amount.amount_minor',
      ],
      [
        () => acme.orders.recordPayment({ orderId: order!.orderId, amount: eur(1n) }),
        'invalid_argument',
        'payment_reference',
      ],
      [() => acme.orders.listOrders({ pageSize: 5000 }), 'invalid_argument', 'page_size'],
      [() => acme.orders.listOrders({ pageToken: 'garbage' }), 'invalid_argument', 'page_token'],
      [
        () =>
          acme.customers.checkCredit({
            customerId: customer!.customerId,
            amount: { currency: 'USD', amountMinor: 1n },
          }),
        'invalid_argument',
        'amount.currency',
      ],
    ];
    for (const [call, code, field] of cases) {
      const error = await refusal(call());
      const fields = error.fieldViolations.map((v) => v.field);
      expect({ field, code: error.code, named: fields.includes(field) }).toEqual({
        field,
        code,
        named: true,
      });
    }
    expect(await counts()).toEqual(eventsBefore);
    expect(await stateCounts()).toEqual(stateBefore);
  });

  it('keeps tenants apart through the API', async () => {
    const { customer } = await acme.customers.createCustomer({
      name: 'Dee',
      email: 'dee@example.com',
      creditLimit: eur(1_00n),
    });
    const { order } = await acme.orders.createOrder({
      customerId: customer!.customerId,
      currency: 'EUR',
    });
    expect(await refusal(globex.orders.getOrder({ orderId: order!.orderId }))).toMatchObject({
      code: 'not_found',
    });
    expect(
      await refusal(
        globex.orders.addOrderLine({
          orderId: order!.orderId,
          sku: 'X',
          quantity: 1,
          unitPrice: eur(1n),
        }),
      ),
    ).toMatchObject({ code: 'not_found' });
    expect(
      await refusal(globex.customers.getCustomer({ customerId: customer!.customerId })),
    ).toMatchObject({ code: 'not_found' });
    // Another tenant cannot place an order for acme's customer.
    expect(
      await refusal(
        globex.orders.createOrder({ customerId: customer!.customerId, currency: 'EUR' }),
      ),
    ).toMatchObject({ code: 'not_found', fieldViolations: [{ field: 'customer_id' }] });
    expect((await globex.orders.listOrders({})).orders).toEqual([]);
    expect((await globex.customers.listCustomers({})).customers).toEqual([]);
    // The same email is free in another tenant.
    await globex.customers.createCustomer({
      name: 'Dee',
      email: 'dee@example.com',
      creditLimit: eur(1_00n),
    });
    const { order: untouched } = await acme.orders.getOrder({ orderId: order!.orderId });
    expect(untouched?.version).toBe(1n);
  });

  it('pages through lists and filters orders by status and customer', async () => {
    const { customer } = await acme.customers.createCustomer({
      name: 'Eve',
      email: 'eve@example.com',
      creditLimit: eur(1_000_00n),
    });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(
        (await acme.orders.createOrder({ customerId: customer!.customerId, currency: 'EUR' }))
          .order!.orderId,
      );
    await acme.orders.addOrderLine({ orderId: ids[0]!, sku: 'A', quantity: 1, unitPrice: eur(1n) });
    await acme.orders.confirmOrder({ orderId: ids[0]! });
    const seen: string[] = [];
    let pageToken = '';
    do {
      const page = await acme.orders.listOrders({
        customerId: customer!.customerId,
        pageSize: 2,
        pageToken,
      });
      seen.push(...page.orders.map((o) => o.orderId));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen).toEqual(ids);
    const confirmed = await acme.orders.listOrders({
      customerId: customer!.customerId,
      status: OrderStatus.CONFIRMED,
    });
    expect(confirmed.orders.map((o) => o.orderId)).toEqual([ids[0]]);
  });
});
