/** Every event type the sales domain emits (its outbox), for catalogs such as the Graph. */
export const SALES_EVENT_TYPES = [
  'sales.customer.created.v1',
  'sales.order.created.v1',
  'sales.order.line_added.v1',
  'sales.order.line_removed.v1',
  'sales.order.confirmed.v1',
  'sales.order.cancelled.v1',
  'sales.order.payment_recorded.v1',
  'sales.order.paid.v1',
  'sales.order.fulfilled.v1',
] as const;
