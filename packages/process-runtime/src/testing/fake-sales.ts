import type { ServiceCallRequest } from '../workflow/activity-types.js';
import { DomainFailure } from './fake-workflow-port.js';

/** Order statuses as the sales domain numbers them (`ameide.sales.v1.OrderStatus`). */
export const ORDER_STATUS = {
  draft: 1,
  confirmed: 2,
  paid: 3,
  fulfilled: 4,
  cancelled: 5,
} as const;

interface Line {
  lineId: string;
  sku: string;
  quantity: number;
  unitPrice?: { currency: string; amountMinor: number };
}
interface Order {
  orderId: string;
  customerId: string;
  status: number;
  lines: Line[];
  total: { currency: string; amountMinor: number };
}

/**
 * The sales domain as a service task sees it (proto JSON in, proto JSON out), in memory, for
 * unit tests of the engine: the rules the Connect double (`sales-double.ts`) enforces, without a
 * server. Payments whose reference starts with `DECLINE` are refused (`PAYMENT_DECLINED`), credit
 * is approved up to 100,000 minor units, lines change and orders confirm only while draft.
 */
export interface FakeSales {
  readonly calls: ServiceCallRequest[];
  /** RPC method names called, in order (`CreateOrder`, ...). */
  methods(): string[];
  order(orderId: string): Order | undefined;
  /** Puts an order with one line of `amountMinor` into the store. */
  seedOrder(amountMinor: number, status?: number): string;
  callService(call: ServiceCallRequest): Record<string, unknown>;
}

export function createFakeSales(): FakeSales {
  const orders = new Map<string, Order>();
  const calls: ServiceCallRequest[] = [];
  let seq = 0;
  const save = (o: Order): Order => {
    o.total = {
      currency: o.total.currency,
      amountMinor: o.lines.reduce((s, l) => s + l.quantity * (l.unitPrice?.amountMinor ?? 0), 0),
    };
    orders.set(o.orderId, o);
    return structuredClone(o);
  };
  const get = (id: unknown): Order => {
    const o = orders.get(String(id));
    if (!o) throw new DomainFailure('ORDER_NOT_FOUND', `order ${String(id)} not found`);
    return o;
  };
  const only = (o: Order, ok: number[], reason: string): void => {
    if (!ok.includes(o.status))
      throw new DomainFailure(reason, `order ${o.orderId} is ${o.status}`);
  };
  const seedOrder = (amountMinor: number, status: number = ORDER_STATUS.confirmed): string =>
    save({
      orderId: `o-${++seq}`,
      customerId: 'c-seed',
      status,
      lines: [
        {
          lineId: `l-${++seq}`,
          sku: 'SKU-SEED',
          quantity: 1,
          unitPrice: { currency: 'EUR', amountMinor },
        },
      ],
      total: { currency: 'EUR', amountMinor: 0 },
    }).orderId;

  const handlers: Record<string, (r: Record<string, unknown>) => Record<string, unknown>> = {
    CreateOrder: (r) => ({
      order: save({
        orderId: `o-${++seq}`,
        customerId: String(r['customerId']),
        status: ORDER_STATUS.draft,
        lines: [],
        total: { currency: String(r['currency']), amountMinor: 0 },
      }),
    }),
    AddOrderLine: (r) => {
      const o = get(r['orderId']);
      only(o, [ORDER_STATUS.draft], 'ORDER_NOT_DRAFT');
      o.lines.push({
        lineId: `l-${++seq}`,
        sku: String(r['sku']),
        quantity: Number(r['quantity']),
        ...(r['unitPrice'] ? { unitPrice: r['unitPrice'] as Line['unitPrice'] & object } : {}),
      });
      return { order: save(o) };
    },
    RemoveOrderLine: (r) => {
      const o = get(r['orderId']);
      only(o, [ORDER_STATUS.draft], 'ORDER_NOT_DRAFT');
      o.lines = o.lines.filter((l) => l.lineId !== r['lineId']);
      return { order: save(o) };
    },
    ConfirmOrder: (r) => {
      const o = get(r['orderId']);
      only(o, [ORDER_STATUS.draft], 'ORDER_NOT_DRAFT');
      o.status = ORDER_STATUS.confirmed;
      return { order: save(o) };
    },
    CancelOrder: (r) => {
      const o = get(r['orderId']);
      only(o, [ORDER_STATUS.draft, ORDER_STATUS.confirmed], 'ORDER_NOT_CANCELLABLE');
      o.status = ORDER_STATUS.cancelled;
      return { order: save(o) };
    },
    MarkOrderFulfilled: (r) => {
      const o = get(r['orderId']);
      o.status = ORDER_STATUS.fulfilled;
      return { order: save(o) };
    },
    RecordPayment: (r) => {
      const o = get(r['orderId']);
      if (String(r['paymentReference']).startsWith('DECLINE'))
        throw new DomainFailure(
          'PAYMENT_DECLINED',
          `payment ${String(r['paymentReference'])} declined`,
        );
      o.status = ORDER_STATUS.paid;
      return { order: save(o) };
    },
    GetOrder: (r) => ({ order: structuredClone(get(r['orderId'])) }),
    ListOrders: () => ({
      orders: [...orders.values()].filter((o) => o.status === ORDER_STATUS.confirmed),
    }),
    CreateCustomer: () => ({ customer: { customerId: `c-${++seq}` } }),
    GetCustomer: (r) => ({
      customer: { customerId: r['customerId'], name: `Customer ${String(r['customerId'])}` },
    }),
    CheckCredit: (r) => ({
      approved:
        ((r['amount'] as { amountMinor?: number } | undefined)?.amountMinor ?? 0) <= 100_000,
    }),
  };

  return {
    calls,
    methods: () => calls.map((c) => c.rpc.split('/')[1] ?? c.rpc),
    order: (id) => orders.get(id),
    seedOrder,
    callService(call) {
      calls.push(call);
      const method = call.rpc.split('/')[1] ?? '';
      const handler = handlers[method];
      if (!handler) throw new DomainFailure('UNIMPLEMENTED', `${call.rpc} is not faked`);
      return handler(call.request);
    },
  };
}
