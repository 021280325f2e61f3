import type { ConnectRouter, HandlerContext } from '@connectrpc/connect';
import { CustomerService, OrderService, OrderStatus as ProtoStatus } from '@ameide/proto';
import type { Message } from '@bufbuild/protobuf';
import { AmeideError, type FieldViolation } from '@ameide/errors';
import { idempotencyOfCall } from '@ameide/events';
import { getRequestContext } from '@ameide/context';
import {
  moneyViolations,
  refuseInvalid,
  textViolations,
  uuidViolations,
  currencyViolations,
} from '../money.js';
import type { SalesContext, SalesDomain } from '../sales-domain.js';
import { customerToProto, orderToProto, statusFromProto } from './sales-mapping.js';

const MAX_PAGE_SIZE = 200;
const DEFAULT_PAGE_SIZE = 50;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function contextOf(ctx: HandlerContext): SalesContext {
  const rc = getRequestContext(ctx);
  return {
    tenantId: rc.tenantId,
    correlationId: rc.traceId || 'untraced',
    caller: { tenantId: rc.tenantId, orgId: rc.orgId, userId: rc.userId, groups: rc.groups },
  };
}

/**
 * The context of a command: as {@link contextOf}, plus the idempotency of the
 * call (`idempotency-key` header and request fingerprint), so a retried
 * command answers its first reply instead of applying twice.
 */
function commandContextOf<I extends Message>(ctx: HandlerContext, request: I): SalesContext {
  return { ...contextOf(ctx), idempotency: idempotencyOfCall(ctx, request) };
}

function pageSizeOf(pageSize: number): number {
  if (pageSize < 0 || pageSize > MAX_PAGE_SIZE) {
    throw AmeideError.invalidArgument(`page_size must be between 0 and ${MAX_PAGE_SIZE}`, [
      { field: 'page_size', description: `0 (default ${DEFAULT_PAGE_SIZE}) to ${MAX_PAGE_SIZE}` },
    ]);
  }
  return pageSize || DEFAULT_PAGE_SIZE;
}

/**
 * Serves `ameide.sales.v1.OrderService` and `CustomerService` from a sales
 * domain. Every request is validated before the domain sees it; bad input is
 * `invalid_argument` naming each field, and nothing is written.
 */
export function salesServiceRoutes(options: { domain: SalesDomain }) {
  const { domain } = options;
  return (router: ConnectRouter) => {
    router.service(CustomerService, {
      async createCustomer(req, ctx) {
        const violations: FieldViolation[] = [
          ...textViolations(req.name, 'name', 200),
          ...textViolations(req.email, 'email', 320),
          ...moneyViolations(req.creditLimit, 'credit_limit'),
        ];
        if (req.email.trim() !== '' && !EMAIL.test(req.email))
          violations.push({ field: 'email', description: 'must be an email address' });
        refuseInvalid('invalid customer', violations);
        const customer = await domain.createCustomer(commandContextOf(ctx, req), {
          name: req.name.trim(),
          email: req.email.trim(),
          creditLimit: {
            currency: req.creditLimit!.currency,
            amountMinor: req.creditLimit!.amountMinor,
          },
        });
        return { customer: customerToProto(customer) };
      },
      async getCustomer(req, ctx) {
        refuseInvalid('invalid request', uuidViolations(req.customerId, 'customer_id'));
        return {
          customer: customerToProto(await domain.getCustomer(contextOf(ctx), req.customerId)),
        };
      },
      async listCustomers(req, ctx) {
        const page = await domain.listCustomers(contextOf(ctx), {
          pageSize: pageSizeOf(req.pageSize),
          pageToken: req.pageToken,
        });
        return { customers: page.items.map(customerToProto), nextPageToken: page.nextPageToken };
      },
      async checkCredit(req, ctx) {
        refuseInvalid('invalid request', [
          ...uuidViolations(req.customerId, 'customer_id'),
          ...moneyViolations(req.amount, 'amount'),
        ]);
        const result = await domain.checkCredit(contextOf(ctx), req.customerId, {
          currency: req.amount!.currency,
          amountMinor: req.amount!.amountMinor,
        });
        return {
          approved: result.approved,
          available: {
            currency: result.available.currency,
            amountMinor: result.available.amountMinor,
          },
        };
      },
    });
    router.service(OrderService, {
      async createOrder(req, ctx) {
        refuseInvalid('invalid order', [
          ...uuidViolations(req.customerId, 'customer_id'),
          ...currencyViolations(req.currency, 'currency'),
        ]);
        return {
          order: orderToProto(
            await domain.createOrder(commandContextOf(ctx, req), {
              customerId: req.customerId,
              currency: req.currency,
            }),
          ),
        };
      },
      async addOrderLine(req, ctx) {
        const violations = [
          ...uuidViolations(req.orderId, 'order_id'),
          ...textViolations(req.sku, 'sku', 64),
          ...moneyViolations(req.unitPrice, 'unit_price'),
        ];
        if (req.quantity <= 0)
          violations.push({
            field: 'quantity',
            description: `must be positive, got ${req.quantity}`,
          });
        else if (req.quantity > 1_000_000)
          violations.push({ field: 'quantity', description: 'must be at most 1000000' });
        refuseInvalid('invalid order line', violations);
        const updated = await domain.addLine(commandContextOf(ctx, req), req.orderId, {
          sku: req.sku.trim(),
          quantity: req.quantity,
          unitPrice: { currency: req.unitPrice!.currency, amountMinor: req.unitPrice!.amountMinor },
        });
        return { order: orderToProto(updated) };
      },
      async removeOrderLine(req, ctx) {
        refuseInvalid('invalid request', [
          ...uuidViolations(req.orderId, 'order_id'),
          ...textViolations(req.lineId, 'line_id', 64),
        ]);
        return {
          order: orderToProto(
            await domain.removeLine(commandContextOf(ctx, req), req.orderId, req.lineId),
          ),
        };
      },
      async confirmOrder(req, ctx) {
        refuseInvalid('invalid request', uuidViolations(req.orderId, 'order_id'));
        return {
          order: orderToProto(await domain.confirm(commandContextOf(ctx, req), req.orderId)),
        };
      },
      async cancelOrder(req, ctx) {
        refuseInvalid('invalid request', [
          ...uuidViolations(req.orderId, 'order_id'),
          ...(req.reason.length > 500
            ? [{ field: 'reason', description: 'must be at most 500 characters' }]
            : []),
        ]);
        return {
          order: orderToProto(
            await domain.cancel(commandContextOf(ctx, req), req.orderId, req.reason),
          ),
        };
      },
      async markOrderFulfilled(req, ctx) {
        refuseInvalid('invalid request', uuidViolations(req.orderId, 'order_id'));
        return {
          order: orderToProto(await domain.markFulfilled(commandContextOf(ctx, req), req.orderId)),
        };
      },
      async recordPayment(req, ctx) {
        refuseInvalid('invalid payment', [
          ...uuidViolations(req.orderId, 'order_id'),
          ...moneyViolations(req.amount, 'amount', { positive: true }),
          ...textViolations(req.paymentReference, 'payment_reference', 200),
        ]);
        const amount = { currency: req.amount!.currency, amountMinor: req.amount!.amountMinor };
        return {
          order: orderToProto(
            await domain.recordPayment(
              commandContextOf(ctx, req),
              req.orderId,
              amount,
              req.paymentReference,
            ),
          ),
        };
      },
      async getOrder(req, ctx) {
        refuseInvalid('invalid request', uuidViolations(req.orderId, 'order_id'));
        return { order: orderToProto(await domain.getOrder(contextOf(ctx), req.orderId)) };
      },
      async listOrders(req, ctx) {
        const violations =
          req.customerId === '' ? [] : uuidViolations(req.customerId, 'customer_id');
        const status = statusFromProto(req.status);
        if (status === undefined && req.status !== ProtoStatus.UNSPECIFIED)
          violations.push({ field: 'status', description: `unknown status ${req.status}` });
        refuseInvalid('invalid request', violations);
        const page = await domain.listOrders(contextOf(ctx), {
          ...(status ? { status } : {}),
          ...(req.customerId ? { customerId: req.customerId } : {}),
          pageSize: pageSizeOf(req.pageSize),
          pageToken: req.pageToken,
        });
        return { orders: page.items.map(orderToProto), nextPageToken: page.nextPageToken };
      },
    });
  };
}
