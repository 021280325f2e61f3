import type { EventEnvelope, JsonValue } from '@ameide/events';
import type {
  Change,
  ProjectionDefinition,
  ProjectionHandler,
  Row,
} from '../definition/projection-definition.js';

/** Process instance lifecycle event types (domain `process`, aggregate `instance`). */
export const ProcessInstanceEventType = {
  Started: 'process.instance.started.v1',
  Completed: 'process.instance.completed.v1',
  Failed: 'process.instance.failed.v1',
  Cancelled: 'process.instance.cancelled.v1',
  Terminated: 'process.instance.terminated.v1',
} as const;

interface MoneyJson {
  readonly currency: string;
  readonly amountMinor: string;
}

interface LineJson {
  readonly lineId: string;
  readonly sku: string;
  readonly quantity: number;
  readonly unitPrice: MoneyJson;
}

interface PaymentJson {
  readonly reference: string;
  readonly amount: MoneyJson;
  readonly recordedAt: string;
}

const field = <T>(e: EventEnvelope, name: string): T =>
  (e.payload as Record<string, unknown> | null)?.[name] as T;

const key = (e: EventEnvelope) => ({ order_id: e.aggregateId });

const touch = (e: EventEnvelope, set: Row): Change => ({
  op: 'update',
  table: 'orders',
  key: key(e),
  set: { ...set, updated_at: e.occurredAt },
});

/** Lines and their total after a change to the order's lines. */
const withLines = (e: EventEnvelope, lines: readonly LineJson[]): Change =>
  touch(e, {
    lines: lines as unknown as JsonValue,
    line_count: lines.length,
    total_minor: lines.reduce(
      (t, l) => t + BigInt(l.unitPrice.amountMinor) * BigInt(l.quantity),
      0n,
    ),
  });

const linesOf = async (
  e: EventEnvelope,
  state: Parameters<ProjectionHandler>[1],
): Promise<LineJson[] | undefined> => {
  const order = await state.get('orders', key(e));
  return order ? ((order['lines'] as unknown as LineJson[] | null) ?? []) : undefined;
};

const status =
  (value: string): ProjectionHandler =>
  (e) => [touch(e, { status: value })];

const instance =
  (value: string): ProjectionHandler =>
  (e) => [
    {
      op: 'upsert',
      table: 'process_instances',
      row: { instance_id: e.aggregateId, status: value, updated_at: e.occurredAt },
    },
  ];

/**
 * The order-to-cash read model: each order with its customer, lines, payments
 * and the process instance that drove it. Orders and customers come from the
 * sales log, instances from the process log; the two are joined when read
 * (through the correlation id: a process's service tasks carry the instance's
 * trace, which the sales domain records on its events), so the model does not
 * depend on which log is read first.
 */
export const orderToCashProjection: ProjectionDefinition = {
  name: 'order-to-cash',
  description:
    'Orders with customer, lines, payments and the process instance that drove them (sales + process events)',
  version: 1,
  tables: [
    {
      name: 'customers',
      columns: { customer_id: 'text', name: 'text', email: 'text', created_at: 'timestamptz' },
      primaryKey: ['customer_id'],
    },
    {
      name: 'orders',
      columns: {
        order_id: 'text',
        customer_id: 'text',
        currency: 'text',
        status: 'text',
        total_minor: 'bigint',
        paid_minor: 'bigint',
        line_count: 'integer',
        lines: 'jsonb',
        payments: 'jsonb',
        correlation_id: 'text',
        created_at: 'timestamptz',
        updated_at: 'timestamptz',
      },
      primaryKey: ['order_id'],
      indexes: [['status', 'order_id'], ['correlation_id']],
    },
    {
      name: 'process_instances',
      columns: {
        instance_id: 'text',
        definition: 'text',
        definition_version: 'integer',
        correlation_id: 'text',
        status: 'text',
        started_at: 'timestamptz',
        updated_at: 'timestamptz',
      },
      primaryKey: ['instance_id'],
      indexes: [['correlation_id']],
    },
  ],
  sources: [
    {
      domain: 'sales',
      handlers: {
        'sales.customer.created.v1': (e) => [
          {
            op: 'upsert',
            table: 'customers',
            row: {
              customer_id: e.aggregateId,
              name: field<string>(e, 'name'),
              email: field<string>(e, 'email') ?? null,
              created_at: e.occurredAt,
            },
          },
        ],
        'sales.order.created.v1': (e) => [
          {
            op: 'upsert',
            table: 'orders',
            row: {
              order_id: e.aggregateId,
              customer_id: field<string>(e, 'customerId'),
              currency: field<string>(e, 'currency'),
              status: 'draft',
              total_minor: 0n,
              paid_minor: 0n,
              line_count: 0,
              lines: [],
              payments: [],
              correlation_id: e.correlationId,
              created_at: e.occurredAt,
              updated_at: e.occurredAt,
            },
          },
        ],
        'sales.order.line_added.v1': async (e, state) => {
          const lines = await linesOf(e, state);
          if (!lines) return [];
          const line: LineJson = {
            lineId: field<string>(e, 'lineId'),
            sku: field<string>(e, 'sku'),
            quantity: Number(field<number>(e, 'quantity')),
            unitPrice: field<MoneyJson>(e, 'unitPrice'),
          };
          return [withLines(e, [...lines, line])];
        },
        'sales.order.line_removed.v1': async (e, state) => {
          const lines = await linesOf(e, state);
          if (!lines) return [];
          const id = field<string>(e, 'lineId');
          return [
            withLines(
              e,
              lines.filter((l) => l.lineId !== id),
            ),
          ];
        },
        'sales.order.confirmed.v1': status('confirmed'),
        'sales.order.cancelled.v1': status('cancelled'),
        'sales.order.paid.v1': status('paid'),
        'sales.order.fulfilled.v1': status('fulfilled'),
        'sales.order.payment_recorded.v1': async (e, state) => {
          const order = await state.get('orders', key(e));
          if (!order) return [];
          const payments = (order['payments'] as unknown as PaymentJson[] | null) ?? [];
          const payment: PaymentJson = {
            reference: field<string>(e, 'paymentReference'),
            amount: field<MoneyJson>(e, 'amount'),
            recordedAt: e.occurredAt.toISOString(),
          };
          return [
            touch(e, {
              payments: [...payments, payment] as unknown as JsonValue,
              paid_minor: BigInt(field<MoneyJson>(e, 'paid').amountMinor),
            }),
          ];
        },
      },
    },
    {
      domain: 'process',
      handlers: {
        [ProcessInstanceEventType.Started]: (e) => [
          {
            op: 'upsert',
            table: 'process_instances',
            row: {
              instance_id: e.aggregateId,
              definition: field<string>(e, 'definition'),
              definition_version: Number(field<number>(e, 'version') ?? 0),
              correlation_id: e.correlationId,
              status: 'running',
              started_at: e.occurredAt,
              updated_at: e.occurredAt,
            },
          },
        ],
        [ProcessInstanceEventType.Completed]: instance('completed'),
        [ProcessInstanceEventType.Failed]: instance('failed'),
        [ProcessInstanceEventType.Cancelled]: instance('cancelled'),
        [ProcessInstanceEventType.Terminated]: instance('terminated'),
      },
    },
  ],
};
