// Users' symbols first: the Connect routes, the domain, its migrations.
export { salesServiceRoutes } from './service/sales-service.js';
export { createSalesDomain } from './sales-domain.js';
export type {
  Page,
  SalesContext,
  SalesDomain,
  SalesDomainOptions,
  Versioned,
  LineToPrice,
  OrderLinePricing,
  PricedLine,
} from './sales-domain.js';
export { migrateSales, SALES_SCHEMA } from './migrate-sales.js';
export { SALES_EVENT_TYPES } from './sales-event-types.js';
export { OrderStatus, orderTotal } from './orders/order.js';
export type { Order, OrderLine } from './orders/order.js';
export type { Customer } from './customers/customer.js';
export type { Money } from './money.js';
// For other packages (tests, processes, benchmarks).
export { customerToProto, orderToProto } from './service/sales-mapping.js';
export * as orderRules from './orders/order.js';
