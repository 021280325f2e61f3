import { AmeideError } from '@ameide/errors';
import type { Decision, NewEvent } from '@ameide/events';
import { MAX_AMOUNT_MINOR, type Money } from '../money.js';

/** Lifecycle of an order: draft → confirmed → paid → fulfilled; draft or confirmed → cancelled. */
export const OrderStatus = {
  Draft: 'draft',
  Confirmed: 'confirmed',
  Paid: 'paid',
  Fulfilled: 'fulfilled',
  Cancelled: 'cancelled',
} as const;
export type OrderStatus = (typeof OrderStatus)[keyof typeof OrderStatus];

export interface OrderLine {
  readonly lineId: string;
  readonly sku: string;
  readonly quantity: number;
  readonly unitPriceMinor: bigint;
}

/** The Order aggregate. Amounts are in minor units of `currency`. */
export interface Order {
  readonly orderId: string;
  readonly customerId: string;
  readonly currency: string;
  readonly status: OrderStatus;
  readonly lines: readonly OrderLine[];
  readonly paidMinor: bigint;
  readonly paymentReferences: readonly string[];
  readonly cancelReason: string | undefined;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** Sum of the lines. */
export function orderTotal(order: Pick<Order, 'lines'>): bigint {
  return order.lines.reduce((sum, l) => sum + l.unitPriceMinor * BigInt(l.quantity), 0n);
}

const type = (event: string) => `sales.order.${event}.v1`;
const money = (currency: string, amountMinor: bigint) => ({
  currency,
  amountMinor: amountMinor.toString(),
});

function precondition(message: string, reason: string, field?: string): AmeideError {
  return new AmeideError('failed_precondition', message, {
    reason,
    domain: 'ameide.sales',
    ...(field ? { fieldViolations: [{ field, description: message }] } : {}),
  });
}

function requireDraft(order: Order, action: string): void {
  if (order.status !== OrderStatus.Draft) {
    throw precondition(
      `order ${order.orderId} is ${order.status}; only draft orders can ${action}`,
      'ORDER_NOT_DRAFT',
      'order_id',
    );
  }
}

function decided(order: Order, events: NewEvent[], now: Date): Decision<Order> {
  return { state: { ...order, updatedAt: now }, events };
}

// Each command below is pure: state in, next state and events out, or an
// AmeideError (nothing is written then). Input shapes are validated by the
// service before; these functions enforce the aggregate's invariants.

export function createOrder(input: {
  orderId: string;
  customerId: string;
  currency: string;
  now: Date;
}): Decision<Order> {
  const order: Order = {
    orderId: input.orderId,
    customerId: input.customerId,
    currency: input.currency,
    status: OrderStatus.Draft,
    lines: [],
    paidMinor: 0n,
    paymentReferences: [],
    cancelReason: undefined,
    createdAt: input.now,
    updatedAt: input.now,
  };
  return {
    state: order,
    events: [
      {
        type: type('created'),
        payload: { customerId: input.customerId, currency: input.currency },
      },
    ],
  };
}

/** How a line's price was set when an extension adjusted it (recorded in `line_added`). */
export interface LinePricing {
  /** The unit price the caller asked for. */
  readonly requestedUnitPriceMinor: bigint;
  /** Which extension version decided, e.g. `extension volume-discount v2 (module 3f2a…)`. */
  readonly source: string;
}

/**
 * Adds a line. `pricing` records an extension's adjustment in the event, so the
 * decision is part of the history and never recomputed.
 */
export function addLine(
  order: Order,
  line: OrderLine,
  now: Date,
  pricing?: LinePricing,
): Decision<Order> {
  requireDraft(order, 'take new lines');
  const next = { ...order, lines: [...order.lines, line] };
  if (orderTotal(next) > MAX_AMOUNT_MINOR) {
    throw AmeideError.invalidArgument('order total would exceed the largest amount', [
      { field: 'quantity', description: `order total must stay at most ${MAX_AMOUNT_MINOR}` },
    ]);
  }
  return decided(
    next,
    [
      {
        type: type('line_added'),
        payload: {
          lineId: line.lineId,
          sku: line.sku,
          quantity: line.quantity,
          unitPrice: money(order.currency, line.unitPriceMinor),
          ...(pricing
            ? {
                pricing: {
                  requestedUnitPrice: money(order.currency, pricing.requestedUnitPriceMinor),
                  source: pricing.source,
                },
              }
            : {}),
        },
      },
    ],
    now,
  );
}

export function removeLine(order: Order, lineId: string, now: Date): Decision<Order> {
  requireDraft(order, 'change lines');
  if (!order.lines.some((l) => l.lineId === lineId)) {
    throw new AmeideError('not_found', `order ${order.orderId} has no line ${lineId}`, {
      reason: 'ORDER_LINE_NOT_FOUND',
      domain: 'ameide.sales',
      fieldViolations: [{ field: 'line_id', description: 'no such line on this order' }],
    });
  }
  return decided(
    { ...order, lines: order.lines.filter((l) => l.lineId !== lineId) },
    [{ type: type('line_removed'), payload: { lineId } }],
    now,
  );
}

/** `availableCreditMinor`: the customer's credit limit minus what other confirmed orders still owe. */
export function confirm(order: Order, availableCreditMinor: bigint, now: Date): Decision<Order> {
  requireDraft(order, 'be confirmed');
  if (order.lines.length === 0)
    throw precondition(
      `order ${order.orderId} has no lines; an empty order cannot be confirmed`,
      'ORDER_EMPTY',
      'order_id',
    );
  const total = orderTotal(order);
  if (total > availableCreditMinor) {
    throw precondition(
      `order total ${total} exceeds the customer's available credit ${availableCreditMinor} (${order.currency} minor units)`,
      'CREDIT_LIMIT_EXCEEDED',
      'order_id',
    );
  }
  return decided(
    { ...order, status: OrderStatus.Confirmed },
    [
      {
        type: type('confirmed'),
        payload: { total: money(order.currency, total), lines: order.lines.length },
      },
    ],
    now,
  );
}

export function cancel(order: Order, reason: string, now: Date): Decision<Order> {
  if (order.status !== OrderStatus.Draft && order.status !== OrderStatus.Confirmed) {
    throw precondition(
      `order ${order.orderId} is ${order.status}; only draft or confirmed orders can be cancelled`,
      'ORDER_NOT_CANCELLABLE',
      'order_id',
    );
  }
  return decided(
    { ...order, status: OrderStatus.Cancelled, cancelReason: reason },
    [{ type: type('cancelled'), payload: { reason, previousStatus: order.status } }],
    now,
  );
}

/** A reference already recorded changes nothing (no event): payment providers redeliver. */
export function recordPayment(
  order: Order,
  amountMinor: bigint,
  reference: string,
  now: Date,
): Decision<Order> {
  if (order.paymentReferences.includes(reference)) return { state: order, events: [] };
  if (order.status !== OrderStatus.Confirmed) {
    throw precondition(
      `order ${order.orderId} is ${order.status}; payments are recorded on confirmed orders`,
      'ORDER_NOT_PAYABLE',
      'order_id',
    );
  }
  const total = orderTotal(order);
  const paid = order.paidMinor + amountMinor;
  if (paid > total) {
    throw precondition(
      `payment of ${amountMinor} would bring the paid amount to ${paid}, above the order total ${total}`,
      'OVERPAYMENT',
      'amount.amount_minor',
    );
  }
  const events: NewEvent[] = [
    {
      type: type('payment_recorded'),
      payload: {
        amount: money(order.currency, amountMinor),
        paymentReference: reference,
        paid: money(order.currency, paid),
      },
    },
  ];
  const fullyPaid = paid === total;
  if (fullyPaid)
    events.push({ type: type('paid'), payload: { total: money(order.currency, total) } });
  return decided(
    {
      ...order,
      paidMinor: paid,
      paymentReferences: [...order.paymentReferences, reference],
      status: fullyPaid ? OrderStatus.Paid : order.status,
    },
    events,
    now,
  );
}

export function markFulfilled(order: Order, now: Date): Decision<Order> {
  if (order.status !== OrderStatus.Paid) {
    throw precondition(
      `order ${order.orderId} is ${order.status}; only paid orders can be fulfilled`,
      'ORDER_NOT_PAID',
      'order_id',
    );
  }
  return decided(
    { ...order, status: OrderStatus.Fulfilled },
    [{ type: type('fulfilled'), payload: {} }],
    now,
  );
}

/** The total as Money. */
export function totalOf(order: Order): Money {
  return { currency: order.currency, amountMinor: orderTotal(order) };
}
