import { create, toBinary, type Message } from '@bufbuild/protobuf';
import type { ConnectRouter, HandlerContext } from '@connectrpc/connect';
import {
  CustomerSchema,
  CustomerService,
  MoneySchema,
  OrderSchema,
  OrderService,
  OrderStatus,
  type Customer,
  type Order,
} from '@ameide/proto';
import { AmeideError, ErrorCode } from '@ameide/errors';
import { getRequestContext, type DevIdentity, type ServiceHost } from '@ameide/server';
import { startTestHost } from '@ameide/server/testing';

/** One call the double served, with the context it was called in. */
export interface RecordedCall {
  readonly rpc: string;
  readonly tenantId: string;
  readonly userId: string;
  readonly idempotencyKey: string | null;
  readonly traceparent: string | null;
  readonly request: unknown;
}

/**
 * A test double of the sales *domain* (not of Temporal): a real Connect server serving
 * `ameide.sales.v1.OrderService` and `CustomerService` in memory, per tenant, behind the
 * chassis' authentication. Payments whose reference starts with `DECLINE` are refused with
 * reason `PAYMENT_DECLINED`; credit is approved up to 100,000 minor units; `failNext` makes
 * an RPC fail with `unavailable` a number of times. Like the real domain (domains/sales), lines
 * change and orders confirm only while draft (`ORDER_NOT_DRAFT`), and only draft or confirmed
 * orders can be cancelled (`ORDER_NOT_CANCELLABLE`), so compensation bindings that the domain
 * would refuse fail here too.
 */
export interface SalesDouble {
  readonly host: ServiceHost;
  readonly url: string;
  readonly calls: RecordedCall[];
  callsOf(tenantId: string, rpc?: string): RecordedCall[];
  failNext(method: string, times: number): void;
  order(tenantId: string, orderId: string): Order | undefined;
  /** Puts an order with one line of `amountMinor` into `tenantId`'s store. */
  seedOrder(tenantId: string, amountMinor: number, status?: OrderStatus): string;
  close(): Promise<void>;
}

export async function startSalesDouble(identity: DevIdentity): Promise<SalesDouble> {
  const orders = new Map<string, Order>();
  const customers = new Map<string, Customer>();
  const calls: RecordedCall[] = [];
  const failures = new Map<string, number>();
  let seq = 0;

  const track = (
    method: string,
    ctx: Parameters<typeof getRequestContext>[0] & { requestHeader: Headers },
    request: unknown,
  ) => {
    const rc = getRequestContext(ctx);
    calls.push({
      rpc: method,
      tenantId: rc.tenantId,
      userId: rc.userId,
      idempotencyKey: ctx.requestHeader.get('idempotency-key'),
      traceparent: ctx.requestHeader.get('traceparent'),
      request,
    });
    const left = failures.get(method) ?? 0;
    if (left > 0) {
      failures.set(method, left - 1);
      throw new AmeideError(ErrorCode.Unavailable, `${method} is unavailable (injected)`, {
        reason: 'INJECTED',
      });
    }
    return rc.tenantId;
  };
  const key = (tenantId: string, id: string) => `${tenantId}/${id}`;
  // Commands are idempotent by the `idempotency-key` header, as a domain must be for
  // at-least-once activities: a retry after a worker crash (the domain applied the command,
  // the activity never reported back) gets the first answer instead of a refusal.
  // Like the real domain, the key is bound to the request: the same key with another
  // request is refused instead of answered with an unrelated reply.
  const replies = new Map<string, { fingerprint: string; reply: unknown }>();
  const once = <R>(
    tenantId: string,
    ctx: Pick<HandlerContext, 'requestHeader' | 'method'>,
    request: Message,
    apply: () => R,
  ): R => {
    const idempotencyKey = ctx.requestHeader.get('idempotency-key');
    if (!idempotencyKey) return apply();
    const k = key(tenantId, idempotencyKey);
    const fingerprint = `${ctx.method.name}:${Buffer.from(toBinary(ctx.method.input, request as never)).toString('hex')}`;
    const seen = replies.get(k);
    if (seen) {
      if (seen.fingerprint !== fingerprint)
        throw new AmeideError(
          ErrorCode.FailedPrecondition,
          `idempotency key ${idempotencyKey} was already used for a different request`,
          { reason: 'IDEMPOTENCY_KEY_REUSED', domain: 'ameide.events' },
        );
      return structuredClone(seen.reply) as R;
    }
    const reply = apply();
    replies.set(k, { fingerprint, reply: structuredClone(reply) });
    return reply;
  };
  const getOrder = (tenantId: string, orderId: string): Order => {
    const o = orders.get(key(tenantId, orderId));
    if (!o)
      throw new AmeideError(ErrorCode.NotFound, `order ${orderId} not found`, {
        reason: 'ORDER_NOT_FOUND',
        domain: 'ameide.sales',
      });
    return o;
  };
  const precondition = (o: Order, ok: readonly OrderStatus[], reason: string): void => {
    if (!ok.includes(o.status))
      throw new AmeideError(
        ErrorCode.FailedPrecondition,
        `order ${o.orderId} is ${OrderStatus[o.status]}`,
        { reason, domain: 'ameide.sales' },
      );
  };
  const draft = (o: Order): void => precondition(o, [OrderStatus.DRAFT], 'ORDER_NOT_DRAFT');
  const total = (o: Order): bigint =>
    o.lines.reduce((s, l) => s + BigInt(l.quantity) * (l.unitPrice?.amountMinor ?? 0n), 0n);
  const save = (tenantId: string, o: Order): Order => {
    o.total = create(MoneySchema, { currency: o.total?.currency ?? 'EUR', amountMinor: total(o) });
    o.version += 1n;
    orders.set(key(tenantId, o.orderId), o);
    return o;
  };

  const routes = (router: ConnectRouter): void => {
    router.service(OrderService, {
      createOrder(req, ctx) {
        const t = track('CreateOrder', ctx, req);
        return once(t, ctx, req, () => {
          const o = create(OrderSchema, {
            orderId: `o-${++seq}`,
            customerId: req.customerId,
            status: OrderStatus.DRAFT,
            total: { currency: req.currency, amountMinor: 0n },
          });
          return { order: save(t, o) };
        });
      },
      addOrderLine(req, ctx) {
        const t = track('AddOrderLine', ctx, req);
        return once(t, ctx, req, () => {
          const o = getOrder(t, req.orderId);
          draft(o);
          o.lines.push({
            $typeName: 'ameide.sales.v1.OrderLine',
            lineId: `l-${++seq}`,
            sku: req.sku,
            quantity: req.quantity,
            ...(req.unitPrice ? { unitPrice: req.unitPrice } : {}),
          });
          return { order: save(t, o) };
        });
      },
      removeOrderLine(req, ctx) {
        const t = track('RemoveOrderLine', ctx, req);
        return once(t, ctx, req, () => {
          const o = getOrder(t, req.orderId);
          draft(o);
          o.lines = o.lines.filter((l) => l.lineId !== req.lineId);
          return { order: save(t, o) };
        });
      },
      confirmOrder(req, ctx) {
        const t = track('ConfirmOrder', ctx, req);
        return once(t, ctx, req, () => {
          const o = getOrder(t, req.orderId);
          draft(o);
          o.status = OrderStatus.CONFIRMED;
          return { order: save(t, o) };
        });
      },
      cancelOrder(req, ctx) {
        const t = track('CancelOrder', ctx, req);
        return once(t, ctx, req, () => {
          const o = getOrder(t, req.orderId);
          precondition(o, [OrderStatus.DRAFT, OrderStatus.CONFIRMED], 'ORDER_NOT_CANCELLABLE');
          o.status = OrderStatus.CANCELLED;
          return { order: save(t, o) };
        });
      },
      markOrderFulfilled(req, ctx) {
        const t = track('MarkOrderFulfilled', ctx, req);
        return once(t, ctx, req, () => {
          const o = getOrder(t, req.orderId);
          o.status = OrderStatus.FULFILLED;
          return { order: save(t, o) };
        });
      },
      recordPayment(req, ctx) {
        const t = track('RecordPayment', ctx, req);
        return once(t, ctx, req, () => {
          const o = getOrder(t, req.orderId);
          if (req.paymentReference.startsWith('DECLINE')) {
            throw new AmeideError(
              ErrorCode.FailedPrecondition,
              `payment ${req.paymentReference} declined`,
              {
                reason: 'PAYMENT_DECLINED',
                domain: 'ameide.sales',
              },
            );
          }
          o.status = OrderStatus.PAID;
          if (req.amount) o.paid = req.amount;
          return { order: save(t, o) };
        });
      },
      getOrder(req, ctx) {
        const t = track('GetOrder', ctx, req);
        return { order: getOrder(t, req.orderId) };
      },
      listOrders(req, ctx) {
        const t = track('ListOrders', ctx, req);
        const mine = [...orders.entries()]
          .filter(
            ([k, o]) =>
              k.startsWith(`${t}/`) &&
              (req.status === OrderStatus.UNSPECIFIED || o.status === req.status),
          )
          .map(([, o]) => o);
        return { orders: mine, nextPageToken: '' };
      },
    });
    router.service(CustomerService, {
      createCustomer(req, ctx) {
        const t = track('CreateCustomer', ctx, req);
        return once(t, ctx, req, () => {
          const c = create(CustomerSchema, {
            customerId: `c-${++seq}`,
            name: req.name,
            email: req.email,
            version: 1n,
          });
          customers.set(key(t, c.customerId), c);
          return { customer: c };
        });
      },
      getCustomer(req, ctx) {
        const t = track('GetCustomer', ctx, req);
        const c =
          customers.get(key(t, req.customerId)) ??
          create(CustomerSchema, {
            customerId: req.customerId,
            name: `Customer ${req.customerId}`,
          });
        return { customer: c };
      },
      listCustomers(req, ctx) {
        track('ListCustomers', ctx, req);
        return { customers: [], nextPageToken: '' };
      },
      checkCredit(req, ctx) {
        track('CheckCredit', ctx, req);
        const amount = req.amount?.amountMinor ?? 0n;
        return {
          approved: amount <= 100_000n,
          available: { currency: req.amount?.currency ?? 'EUR', amountMinor: 100_000n },
        };
      },
    });
  };

  const { host } = await startTestHost({
    identity,
    primitive: { type: 'domain', name: 'sales-double' },
    services: [routes],
  });
  return {
    host,
    url: host.url,
    calls,
    callsOf: (tenantId, rpc) =>
      calls.filter((c) => c.tenantId === tenantId && (rpc === undefined || c.rpc === rpc)),
    failNext: (method, times) => failures.set(method, times),
    order: (tenantId, orderId) => orders.get(key(tenantId, orderId)),
    seedOrder(tenantId, amountMinor, status = OrderStatus.CONFIRMED) {
      const o = create(OrderSchema, {
        orderId: `o-${++seq}`,
        customerId: 'c-seed',
        status,
        lines: [
          {
            lineId: `l-${++seq}`,
            sku: 'SKU-SEED',
            quantity: 1,
            unitPrice: { currency: 'EUR', amountMinor: BigInt(amountMinor) },
          },
        ],
        total: { currency: 'EUR', amountMinor: 0n },
      });
      return save(tenantId, o).orderId;
    },
    close: () => host.close(),
  };
}
