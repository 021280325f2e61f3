import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { ConnectRouter, HandlerContext } from '@connectrpc/connect';
import { getRequestContext } from '@ameide/context';
import { AmeideError } from '@ameide/errors';
import { withTenant, type Database } from '@ameide/persistence';
import { OrderSummarySchema, OrderToCashService, type OrderSummary } from '@ameide/proto';
import { projectionSchema } from '../schema/projection-schema.js';
import { orderToCashProjection } from './order-to-cash-projection.js';

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 500;
const STATUSES = ['draft', 'confirmed', 'paid', 'fulfilled', 'cancelled'];
const s = projectionSchema(orderToCashProjection.name);

interface SummaryRow {
  order_id: string;
  customer_id: string;
  customer_name: string | null;
  currency: string;
  status: string;
  total_minor: string;
  paid_minor: string;
  line_count: number;
  lines: {
    lineId: string;
    sku: string;
    quantity: number;
    unitPrice: { currency: string; amountMinor: string };
  }[];
  payments: {
    reference: string;
    amount: { currency: string; amountMinor: string };
    recordedAt: string;
  }[];
  instance_id: string | null;
  definition: string | null;
  process_status: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

// Orders, their customer, and the latest process instance of their correlation id.
const SELECT = `
SELECT o.order_id, o.customer_id, c.name AS customer_name, o.currency, o.status,
       o.total_minor::text AS total_minor, o.paid_minor::text AS paid_minor, o.line_count,
       o.lines, o.payments, p.instance_id, p.definition, p.status AS process_status,
       o.created_at, o.updated_at
  FROM ${s}.orders o
  LEFT JOIN ${s}.customers c ON c.tenant_id = o.tenant_id AND c.customer_id = o.customer_id
  LEFT JOIN LATERAL (
    SELECT instance_id, definition, status FROM ${s}.process_instances pi
     WHERE pi.tenant_id = o.tenant_id AND pi.correlation_id = o.correlation_id
     ORDER BY pi.started_at DESC LIMIT 1) p ON true`;

/**
 * Serves `ameide.projections.v1.OrderToCashService` from the order-to-cash
 * read model, as the app role under the caller's tenant (RLS: SELECT only).
 */
export function orderToCashServiceRoutes(options: { readonly db: Database }) {
  const { db } = options;
  const read = <R>(ctx: HandlerContext, fn: Parameters<typeof withTenant<R>>[2]) =>
    withTenant(db, { tenantId: getRequestContext(ctx).tenantId }, fn);
  return (router: ConnectRouter) =>
    router.service(OrderToCashService, {
      async listOrderSummaries(req, ctx) {
        if (req.pageSize < 0 || req.pageSize > MAX_PAGE_SIZE)
          throw AmeideError.invalidArgument(`page_size must be between 0 and ${MAX_PAGE_SIZE}`, [
            {
              field: 'page_size',
              description: `0 (default ${DEFAULT_PAGE_SIZE}) to ${MAX_PAGE_SIZE}`,
            },
          ]);
        if (req.status && !STATUSES.includes(req.status))
          throw AmeideError.invalidArgument(`unknown status ${JSON.stringify(req.status)}`, [
            { field: 'status', description: `empty or one of ${STATUSES.join(', ')}` },
          ]);
        const size = req.pageSize || DEFAULT_PAGE_SIZE;
        const rows = await read(ctx, async (tx) => {
          const params: unknown[] = [req.pageToken, size + 1];
          const status = req.status ? ` AND o.status = $3` : '';
          if (req.status) params.push(req.status);
          return (
            await tx.query<SummaryRow>(
              `${SELECT} WHERE o.order_id > $1${status} ORDER BY o.order_id LIMIT $2`,
              params,
            )
          ).rows;
        });
        const page = rows.slice(0, size);
        return {
          orders: page.map(toProto),
          nextPageToken: rows.length > size ? page.at(-1)!.order_id : '',
        };
      },
      async getOrderSummary(req, ctx) {
        if (!req.orderId)
          throw AmeideError.invalidArgument('order_id is required', [
            { field: 'order_id', description: 'is required' },
          ]);
        const rows = await read(
          ctx,
          async (tx) =>
            (await tx.query<SummaryRow>(`${SELECT} WHERE o.order_id = $1`, [req.orderId])).rows,
        );
        if (!rows[0])
          throw new AmeideError(
            'not_found',
            `order ${req.orderId} is not in the order-to-cash read model (yet)`,
            {
              reason: 'ORDER_SUMMARY_NOT_FOUND',
              domain: 'ameide.projections',
              fieldViolations: [
                { field: 'order_id', description: 'no such order for this tenant' },
              ],
            },
          );
        return { order: toProto(rows[0]) };
      },
    });
}

const money = (currency: string, amountMinor: string) => ({
  currency,
  amountMinor: BigInt(amountMinor),
});

function toProto(r: SummaryRow): OrderSummary {
  return create(OrderSummarySchema, {
    orderId: r.order_id,
    customerId: r.customer_id,
    customerName: r.customer_name ?? '',
    status: r.status,
    total: money(r.currency, r.total_minor),
    paid: money(r.currency, r.paid_minor),
    lineCount: r.line_count,
    lines: (r.lines ?? []).map((l) => ({
      lineId: l.lineId,
      sku: l.sku,
      quantity: BigInt(l.quantity),
      unitPrice: money(l.unitPrice.currency, l.unitPrice.amountMinor),
    })),
    payments: (r.payments ?? []).map((p) => ({
      reference: p.reference,
      amount: money(p.amount.currency, p.amount.amountMinor),
      recordedAt: timestampFromDate(new Date(p.recordedAt)),
    })),
    processInstanceId: r.instance_id ?? '',
    processDefinition: r.definition ?? '',
    processStatus: r.process_status ?? '',
    createdAt: timestampFromDate(new Date(r.created_at)),
    updatedAt: timestampFromDate(new Date(r.updated_at)),
  });
}
