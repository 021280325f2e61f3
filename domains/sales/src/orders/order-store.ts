import type { AggregateStore, SqlStatement } from '@ameide/events';
import type { Order, OrderLine, OrderStatus } from './order.js';
import { orderTotal } from './order.js';

export interface OrderRow {
  order_id: string;
  customer_id: string;
  currency: string;
  status: OrderStatus;
  lines: Array<{ lineId: string; sku: string; quantity: number; unitPriceMinor: string }>;
  paid_minor: bigint;
  payment_references: string[];
  cancel_reason: string | null;
  version: bigint;
  created_at: Date;
  updated_at: Date;
}

export const ORDER_COLUMNS = `order_id, customer_id, currency, status, lines, paid_minor, payment_references, cancel_reason, version, created_at, updated_at`;

export function orderFromRow(row: OrderRow): Order {
  return {
    orderId: row.order_id,
    customerId: row.customer_id,
    currency: row.currency,
    status: row.status,
    lines: row.lines.map((l): OrderLine => ({
      lineId: l.lineId,
      sku: l.sku,
      quantity: l.quantity,
      unitPriceMinor: BigInt(l.unitPriceMinor),
    })),
    paidMinor: BigInt(row.paid_minor),
    paymentReferences: row.payment_references,
    cancelReason: row.cancel_reason ?? undefined,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const linesJson = (order: Order) =>
  JSON.stringify(
    order.lines.map((l) => ({
      lineId: l.lineId,
      sku: l.sku,
      quantity: l.quantity,
      unitPriceMinor: l.unitPriceMinor.toString(),
    })),
  );

function saveOrder(orderId: string, order: Order, expected: bigint, next: bigint): SqlStatement {
  const values = [
    orderId,
    order.customerId,
    order.currency,
    order.status,
    linesJson(order),
    orderTotal(order),
    order.paidMinor,
    JSON.stringify(order.paymentReferences),
    order.cancelReason ?? null,
    next,
    order.createdAt,
    order.updatedAt,
  ];
  if (expected === 0n) {
    return {
      sql: `INSERT INTO sales.orders (tenant_id, order_id, customer_id, currency, status, lines, total_minor, paid_minor, payment_references, cancel_reason, version, created_at, updated_at)
            VALUES (current_setting('app.tenant_id'), $1, $2, $3, $4, $5::jsonb, $6, $7, $8::jsonb, $9, $10, $11, $12)
            ON CONFLICT (tenant_id, order_id) DO NOTHING RETURNING 1`,
      params: values,
    };
  }
  return {
    sql: `UPDATE sales.orders SET customer_id = $2, currency = $3, status = $4, lines = $5::jsonb, total_minor = $6, paid_minor = $7,
            payment_references = $8::jsonb, cancel_reason = $9, version = $10, created_at = $11, updated_at = $12
          WHERE order_id = $1 AND version = $13 RETURNING 1`,
    params: [...values, expected],
  };
}

/** Orders in `sales.orders`, one row per aggregate. */
export const orderStore: AggregateStore<Order> = {
  aggregateType: 'order',
  async load(tx, orderId) {
    const { rows } = await tx.query<OrderRow>(
      `SELECT ${ORDER_COLUMNS} FROM sales.orders WHERE order_id = $1`,
      [orderId],
    );
    return rows[0] ? { state: orderFromRow(rows[0]), version: BigInt(rows[0].version) } : undefined;
  },
  async save(tx, orderId, order, expected, next) {
    const { sql, params } = saveOrder(orderId, order, expected, next);
    return (await tx.query(sql, params)).rowCount === 1;
  },
  saveStatement: saveOrder,
};
