import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAmeideError } from '@ameide/errors';
import { orderRules, OrderStatus, orderTotal, type Order } from '@ameide/sales';

const now = new Date('2026-01-01T00:00:00Z');
const draft = (): Order =>
  orderRules.createOrder({ orderId: 'o', customerId: 'c', currency: 'EUR', now }).state;

function code(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    if (isAmeideError(error)) return `${error.code}:${error.reason}`;
    throw error;
  }
}

describe('Order aggregate rules', () => {
  it('keeps the total equal to the sum of its lines, in minor units, through any adds and removes', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('add' as const),
        quantity: fc.integer({ min: 1, max: 1000 }),
        price: fc.bigInt({ min: 0n, max: 10n ** 9n }),
      }),
      fc.record({ kind: fc.constant('remove' as const), index: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
        let order = draft();
        let n = 0;
        for (const o of ops) {
          if (o.kind === 'add')
            order = orderRules.addLine(
              order,
              { lineId: `l${n++}`, sku: 's', quantity: o.quantity, unitPriceMinor: o.price },
              now,
            ).state;
          else if (order.lines.length > 0)
            order = orderRules.removeLine(
              order,
              order.lines[o.index % order.lines.length]!.lineId,
              now,
            ).state;
        }
        expect(orderTotal(order)).toBe(
          order.lines.reduce((s, l) => s + l.unitPriceMinor * BigInt(l.quantity), 0n),
        );
      }),
    );
  });

  it('never lets payments exceed the total, and becomes paid exactly when they reach it', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 6n }),
        fc.array(fc.bigInt({ min: 1n, max: 10n ** 6n }), { maxLength: 10 }),
        (price, payments) => {
          let order = orderRules.addLine(
            draft(),
            { lineId: 'l', sku: 's', quantity: 1, unitPriceMinor: price },
            now,
          ).state;
          order = orderRules.confirm(order, price, now).state;
          payments.forEach((amount, i) => {
            if (order.status !== OrderStatus.Confirmed) return;
            if (order.paidMinor + amount > price)
              expect(code(() => orderRules.recordPayment(order, amount, `p${i}`, now))).toBe(
                'failed_precondition:OVERPAYMENT',
              );
            else order = orderRules.recordPayment(order, amount, `p${i}`, now).state;
          });
          expect(order.paidMinor <= price).toBe(true);
          expect(order.status === OrderStatus.Paid).toBe(order.paidMinor === price);
        },
      ),
    );
  });

  it('refuses changes after confirm, confirm of an empty order, and fulfilment before payment', () => {
    expect(code(() => orderRules.confirm(draft(), 10n ** 9n, now))).toBe(
      'failed_precondition:ORDER_EMPTY',
    );
    const confirmed = orderRules.confirm(
      orderRules.addLine(draft(), { lineId: 'l', sku: 's', quantity: 2, unitPriceMinor: 5n }, now)
        .state,
      10n,
      now,
    ).state;
    expect(
      code(() =>
        orderRules.addLine(
          confirmed,
          { lineId: 'm', sku: 's', quantity: 1, unitPriceMinor: 1n },
          now,
        ),
      ),
    ).toBe('failed_precondition:ORDER_NOT_DRAFT');
    expect(code(() => orderRules.removeLine(confirmed, 'l', now))).toBe(
      'failed_precondition:ORDER_NOT_DRAFT',
    );
    expect(code(() => orderRules.markFulfilled(confirmed, now))).toBe(
      'failed_precondition:ORDER_NOT_PAID',
    );
    expect(
      code(() =>
        orderRules.confirm(
          orderRules.addLine(
            draft(),
            { lineId: 'l', sku: 's', quantity: 2, unitPriceMinor: 5n },
            now,
          ).state,
          9n,
          now,
        ),
      ),
    ).toBe('failed_precondition:CREDIT_LIMIT_EXCEEDED');
  });

  it('records a payment reference once: the repeat changes nothing and emits nothing', () => {
    const confirmed = orderRules.confirm(
      orderRules.addLine(draft(), { lineId: 'l', sku: 's', quantity: 1, unitPriceMinor: 10n }, now)
        .state,
      10n,
      now,
    ).state;
    const once = orderRules.recordPayment(confirmed, 4n, 'psp-1', now);
    const twice = orderRules.recordPayment(once.state, 4n, 'psp-1', now);
    expect(twice.events).toEqual([]);
    expect(twice.state.paidMinor).toBe(4n);
  });
});
