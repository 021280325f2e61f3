import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  CustomerSchema,
  MoneySchema,
  OrderLineSchema,
  OrderSchema,
  OrderStatus as ProtoStatus,
  type Customer as CustomerProto,
  type Money as MoneyProto,
  type Order as OrderProto,
} from '@ameide/proto';
import type { Customer } from '../customers/customer.js';
import type { Money } from '../money.js';
import { OrderStatus, orderTotal, type Order } from '../orders/order.js';
import type { Versioned } from '../sales-domain.js';

const statusToProto: Record<OrderStatus, ProtoStatus> = {
  draft: ProtoStatus.DRAFT,
  confirmed: ProtoStatus.CONFIRMED,
  paid: ProtoStatus.PAID,
  fulfilled: ProtoStatus.FULFILLED,
  cancelled: ProtoStatus.CANCELLED,
};

export function moneyToProto(m: Money): MoneyProto {
  return create(MoneySchema, { currency: m.currency, amountMinor: m.amountMinor });
}

/** The domain status of a proto status; undefined for UNSPECIFIED (no filter). */
export function statusFromProto(status: ProtoStatus): OrderStatus | undefined {
  return (Object.entries(statusToProto) as [OrderStatus, ProtoStatus][]).find(
    ([, p]) => p === status,
  )?.[0];
}

export function orderToProto({ value: o, version }: Versioned<Order>): OrderProto {
  return create(OrderSchema, {
    orderId: o.orderId,
    customerId: o.customerId,
    status: statusToProto[o.status],
    lines: o.lines.map((l) =>
      create(OrderLineSchema, {
        lineId: l.lineId,
        sku: l.sku,
        quantity: l.quantity,
        unitPrice: moneyToProto({ currency: o.currency, amountMinor: l.unitPriceMinor }),
      }),
    ),
    total: moneyToProto({ currency: o.currency, amountMinor: orderTotal(o) }),
    paid: moneyToProto({ currency: o.currency, amountMinor: o.paidMinor }),
    version,
    createdAt: timestampFromDate(o.createdAt),
    updatedAt: timestampFromDate(o.updatedAt),
  });
}

export function customerToProto({ value: c, version }: Versioned<Customer>): CustomerProto {
  return create(CustomerSchema, {
    customerId: c.customerId,
    name: c.name,
    email: c.email,
    creditLimit: moneyToProto(c.creditLimit),
    version,
  });
}

export { OrderStatus };
