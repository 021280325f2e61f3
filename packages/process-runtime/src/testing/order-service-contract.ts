// Test support (vitest only): what the process activities rely on from an
// OrderService, as one suite that runs against the real sales domain and
// against the sales double the runtime's own tests use, so the double cannot
// drift into promising what the domain does not do.
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { OrderStatus } from '@ameide/proto';
import { isAmeideError, type AmeideClient } from '@ameide/sdk';

/** An OrderService and CustomerService to run the contract against. */
export interface OrderServiceUnderTest {
  clientFor(tenantId: string): Promise<AmeideClient>;
  close(): Promise<void>;
}

const key = (k: string) => ({ headers: { 'idempotency-key': k } });

async function refusalOf(p: Promise<unknown>): Promise<{ code: string; reason: string }> {
  try {
    await p;
  } catch (error) {
    if (isAmeideError(error)) return { code: error.code, reason: error.reason ?? '' };
    throw error;
  }
  throw new Error('expected a refusal');
}

/**
 * Registers the contract's tests: every command retried with the same
 * `idempotency-key` (as an activity retried after a lost response does)
 * answers its first reply and applies nothing again; the same key with another
 * request is refused; keys are per tenant.
 */
export function describeOrderServiceContract(
  name: string,
  start: () => Promise<OrderServiceUnderTest>,
): void {
  describe(`OrderService contract: ${name}`, () => {
    let sut: OrderServiceUnderTest;
    let acme: AmeideClient;
    let globex: AmeideClient;
    let customerId: string;
    const run = Math.random().toString(36).slice(2, 8);

    beforeAll(async () => {
      sut = await start();
      acme = await sut.clientFor('acme');
      globex = await sut.clientFor('globex');
      const create = () =>
        acme.customers.createCustomer(
          {
            name: 'Contract Customer',
            email: `contract-${run}@example.com`,
            creditLimit: { currency: 'EUR', amountMinor: 1_000_000n },
          },
          key(`${run}/customer`),
        );
      const first = await create();
      const again = await create();
      expect(again.customer?.customerId).toBe(first.customer?.customerId);
      customerId = first.customer!.customerId;
    });
    afterAll(() => sut?.close());

    it('runs order-to-cash with every command sent twice, applying each once', async () => {
      const twice = async <R>(call: () => Promise<R>): Promise<[R, R]> => [
        await call(),
        await call(),
      ];
      const [c1, c2] = await twice(() =>
        acme.orders.createOrder({ customerId, currency: 'EUR' }, key(`${run}/create`)),
      );
      expect(c2.order?.orderId).toBe(c1.order?.orderId);
      const orderId = c1.order!.orderId;

      const [l1, l2] = await twice(() =>
        acme.orders.addOrderLine(
          { orderId, sku: 'SKU-1', quantity: 2, unitPrice: { currency: 'EUR', amountMinor: 500n } },
          key(`${run}/line`),
        ),
      );
      expect(l1.order?.lines).toHaveLength(1);
      expect(l2.order?.lines).toHaveLength(1);
      expect(l2.order?.version).toBe(l1.order?.version);

      const [f1, f2] = await twice(() =>
        acme.orders.confirmOrder({ orderId }, key(`${run}/confirm`)),
      );
      expect(f1.order?.status).toBe(OrderStatus.CONFIRMED);
      expect(f2.order?.status).toBe(OrderStatus.CONFIRMED);
      expect(f2.order?.version).toBe(f1.order?.version);

      const [p1, p2] = await twice(() =>
        acme.orders.recordPayment(
          {
            orderId,
            amount: { currency: 'EUR', amountMinor: 1000n },
            paymentReference: `PAY-${run}`,
          },
          key(`${run}/pay`),
        ),
      );
      expect(p1.order?.status).toBe(OrderStatus.PAID);
      expect(p2.order?.version).toBe(p1.order?.version);

      const [d1, d2] = await twice(() =>
        acme.orders.markOrderFulfilled({ orderId }, key(`${run}/fulfil`)),
      );
      expect(d1.order?.status).toBe(OrderStatus.FULFILLED);
      expect(d2.order?.version).toBe(d1.order?.version);

      const stored = (await acme.orders.getOrder({ orderId })).order!;
      expect(stored.lines).toHaveLength(1);
      expect(stored.paid?.amountMinor).toBe(1000n);
      expect(stored.status).toBe(OrderStatus.FULFILLED);
      expect(stored.version).toBe(d1.order?.version);
    });

    it('answers a cancel retried after the order was cancelled with its first reply', async () => {
      const { order } = await acme.orders.createOrder({ customerId, currency: 'EUR' });
      const cancel = () =>
        acme.orders.cancelOrder(
          { orderId: order!.orderId, reason: 'changed mind' },
          key(`${run}/cancel`),
        );
      const first = await cancel();
      const again = await cancel();
      expect(again.order?.status).toBe(OrderStatus.CANCELLED);
      expect(again.order?.version).toBe(first.order?.version);
      // Without a key, the same command is a new command and is refused.
      const unkeyed = await refusalOf(
        acme.orders.cancelOrder({ orderId: order!.orderId, reason: 'changed mind' }),
      );
      expect(unkeyed.code).toBe('failed_precondition');
    });

    it('refuses a key reused for a different request or another command', async () => {
      const other = await refusalOf(
        acme.orders.createOrder({ customerId, currency: 'USD' }, key(`${run}/create`)),
      );
      expect(other).toEqual({ code: 'failed_precondition', reason: 'IDEMPOTENCY_KEY_REUSED' });
      const { order } = await acme.orders.createOrder({ customerId, currency: 'EUR' });
      const otherCommand = await refusalOf(
        acme.orders.confirmOrder({ orderId: order!.orderId }, key(`${run}/create`)),
      );
      expect(otherCommand).toEqual({
        code: 'failed_precondition',
        reason: 'IDEMPOTENCY_KEY_REUSED',
      });
    });

    it('keeps keys per tenant', async () => {
      const { customer } = await globex.customers.createCustomer({
        name: 'Globex',
        email: `globex-${run}@example.com`,
        creditLimit: { currency: 'EUR', amountMinor: 1_000_000n },
      });
      const theirs = await globex.orders.createOrder(
        { customerId: customer!.customerId, currency: 'EUR' },
        key(`${run}/create`),
      );
      const ours = await acme.orders.createOrder(
        { customerId, currency: 'EUR' },
        key(`${run}/create`),
      );
      expect(theirs.order?.orderId).not.toBe(ours.order?.orderId);
    });
  });
}
