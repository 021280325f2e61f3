import type { Actor } from '@ameide/context';
import { AmeideError } from '@ameide/errors';
import {
  createUnitOfWork,
  newEventId,
  type Committed,
  type Decision,
  type Idempotency,
  type UnitOfWork,
} from '@ameide/events';
import { sqlStateOf, type Database, type Transaction } from '@ameide/persistence';
import {
  CUSTOMER_COLUMNS,
  createCustomer,
  customerFromRow,
  customerStore,
  type Customer,
  type CustomerRow,
} from './customers/customer.js';
import { SALES_SCHEMA } from './migrate-sales.js';
import type { Money } from './money.js';
import * as orders from './orders/order.js';
import { ORDER_COLUMNS, orderFromRow, orderStore, type OrderRow } from './orders/order-store.js';
import type { Order, OrderStatus } from './orders/order.js';

/** Who asks, for which tenant, as part of what (from the request context). */
export interface SalesContext {
  readonly tenantId: string;
  readonly correlationId: string;
  /**
   * The caller's idempotency key and request fingerprint: a command repeated
   * with the same key and request answers its first reply and applies nothing.
   */
  readonly idempotency?: Idempotency | undefined;
  /** Who asks (from the verified token): extension points act as this caller. */
  readonly caller?: Actor | undefined;
}

/** An aggregate with its version (for optimistic concurrency). */
export interface Versioned<T> {
  readonly value: T;
  readonly version: bigint;
}

/** One page of a list. */
export interface Page<T> {
  readonly items: readonly T[];
  /** Empty when there is no further page. */
  readonly nextPageToken: string;
}

/**
 * The sales domain's commands and queries. Inputs are already validated in
 * shape (see the service); every command runs as one unit of work: state and
 * outbox events commit together, nothing is published directly.
 */
export interface SalesDomain {
  readonly unitOfWork: UnitOfWork;
  createCustomer(
    ctx: SalesContext,
    input: { name: string; email: string; creditLimit: Money },
  ): Promise<Versioned<Customer>>;
  getCustomer(ctx: SalesContext, customerId: string): Promise<Versioned<Customer>>;
  listCustomers(
    ctx: SalesContext,
    page: { pageSize: number; pageToken: string },
  ): Promise<Page<Versioned<Customer>>>;
  checkCredit(
    ctx: SalesContext,
    customerId: string,
    amount: Money,
  ): Promise<{ approved: boolean; available: Money }>;
  createOrder(
    ctx: SalesContext,
    input: { customerId: string; currency: string },
  ): Promise<Versioned<Order>>;
  addLine(
    ctx: SalesContext,
    orderId: string,
    line: { sku: string; quantity: number; unitPrice: Money },
  ): Promise<Versioned<Order>>;
  removeLine(ctx: SalesContext, orderId: string, lineId: string): Promise<Versioned<Order>>;
  confirm(ctx: SalesContext, orderId: string): Promise<Versioned<Order>>;
  cancel(ctx: SalesContext, orderId: string, reason: string): Promise<Versioned<Order>>;
  markFulfilled(ctx: SalesContext, orderId: string): Promise<Versioned<Order>>;
  recordPayment(
    ctx: SalesContext,
    orderId: string,
    amount: Money,
    reference: string,
  ): Promise<Versioned<Order>>;
  getOrder(ctx: SalesContext, orderId: string): Promise<Versioned<Order>>;
  listOrders(
    ctx: SalesContext,
    filter: { status?: OrderStatus; customerId?: string; pageSize: number; pageToken: string },
  ): Promise<Page<Versioned<Order>>>;
}

/** A line as the caller asked for it, handed to {@link OrderLinePricing}. */
export interface LineToPrice {
  readonly orderId: string;
  readonly sku: string;
  readonly quantity: number;
  readonly unitPrice: Money;
}

/** An adjusted unit price and who decided it. */
export interface PricedLine {
  readonly unitPriceMinor: bigint;
  /** Recorded in the `line_added` event, e.g. `extension volume-discount v2 (module 3f2a…)`. */
  readonly source: string;
}

/**
 * The order-line pricing extension point: a tenant's extension may lower a
 * line's unit price. The domain calls it (for commands that carry a caller:
 * the extension runs as that caller) before the command's transaction and
 * enforces the bounds: never above the requested price, never below
 * `maxDiscountPercent` off it. `undefined`: the tenant has no such extension.
 */
export interface OrderLinePricing {
  price(ctx: SalesContext, line: LineToPrice): Promise<PricedLine | undefined>;
}

/** Options of {@link createSalesDomain}. */
export interface SalesDomainOptions {
  readonly db: Database;
  /** The order-line pricing extension point (default: none, prices stay as asked). */
  readonly pricing?: OrderLinePricing;
  /** Largest discount an extension may give, in percent of the requested price (default 50). */
  readonly maxDiscountPercent?: number;
  readonly now?: () => Date;
  /** How long a command's idempotency key is remembered (default 7 days). */
  readonly idempotencyRetentionMs?: number;
}

const notFound = (what: string, id: string, field: string): AmeideError =>
  new AmeideError('not_found', `${what} ${id} not found`, {
    reason: `${what.toUpperCase()}_NOT_FOUND`,
    domain: 'ameide.sales',
    fieldViolations: [{ field, description: `no ${what} with this id` }],
  });

/** Creates the sales domain on a migrated database (see `migrateSales`). */
export function createSalesDomain(options: SalesDomainOptions): SalesDomain {
  const now = options.now ?? (() => new Date());
  const maxDiscountPercent = options.maxDiscountPercent ?? 50;
  if (!Number.isInteger(maxDiscountPercent) || maxDiscountPercent < 0 || maxDiscountPercent > 100)
    throw new RangeError(`maxDiscountPercent must be an integer 0-100, got ${maxDiscountPercent}`);
  const uow = createUnitOfWork({
    db: options.db,
    domain: 'sales',
    schema: SALES_SCHEMA,
    now,
    ...(options.idempotencyRetentionMs !== undefined && {
      idempotencyRetentionMs: options.idempotencyRetentionMs,
    }),
  });
  const versioned = <T>(c: Committed<T>): Versioned<T> => ({ value: c.state, version: c.version });

  const orderCommand = async (
    ctx: SalesContext,
    orderId: string,
    decide: (order: Order, tx: Transaction) => Decision<Order> | Promise<Decision<Order>>,
  ) =>
    versioned(
      await uow.execute(ctx, orderStore, orderId, async (current, tx) => {
        if (!current) throw notFound('order', orderId, 'order_id');
        return decide(current.state, tx);
      }),
    );

  const availableCredit = async (
    tx: Transaction,
    customerId: string,
    lock: boolean,
  ): Promise<{ customer: Customer; availableMinor: bigint }> => {
    // Locking the customer serialises confirmations against its credit limit.
    const { rows } = await tx.query<CustomerRow>(
      `SELECT ${CUSTOMER_COLUMNS} FROM sales.customers WHERE customer_id = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [customerId],
    );
    if (!rows[0]) throw notFound('customer', customerId, 'customer_id');
    const customer = customerFromRow(rows[0]);
    const owed = await tx.query<{ owed: string | null }>(
      `SELECT sum(total_minor - paid_minor)::text AS owed FROM sales.orders WHERE customer_id = $1 AND status IN ('confirmed', 'paid', 'fulfilled')`,
      [customerId],
    );
    return {
      customer,
      availableMinor: customer.creditLimit.amountMinor - BigInt(owed.rows[0]?.owed ?? '0'),
    };
  };

  return {
    unitOfWork: uow,
    async createCustomer(ctx, input) {
      const customerId = newEventId();
      try {
        return versioned(
          await uow.execute(ctx, customerStore, customerId, async (_current, tx) => {
            const taken = await tx.query(
              `SELECT 1 FROM sales.customers WHERE lower(email) = lower($1)`,
              [input.email],
            );
            if (taken.rowCount > 0) throw emailTaken(input.email);
            return createCustomer({
              customerId,
              name: input.name,
              email: input.email,
              creditLimit: input.creditLimit,
              createdAt: now(),
            });
          }),
        );
      } catch (error) {
        if (sqlStateOf(error) === '23505') throw emailTaken(input.email);
        throw error;
      }
    },
    async getCustomer(ctx, customerId) {
      const loaded = await uow.read(ctx, (tx) => customerStore.load(tx, customerId));
      if (!loaded) throw notFound('customer', customerId, 'customer_id');
      return { value: loaded.state, version: loaded.version };
    },
    async listCustomers(ctx, page) {
      const after = decodePageToken(page.pageToken);
      const { rows } = await uow.read(ctx, (tx) =>
        tx.query<CustomerRow>(
          `SELECT ${CUSTOMER_COLUMNS} FROM sales.customers WHERE customer_id > $1 ORDER BY customer_id LIMIT $2`,
          [after, page.pageSize + 1],
        ),
      );
      return pageOf(
        rows.map((r) => ({ value: customerFromRow(r), version: BigInt(r.version) })),
        page.pageSize,
        (c) => c.value.customerId,
      );
    },
    async checkCredit(ctx, customerId, amount) {
      return uow.read(ctx, async (tx) => {
        const { customer, availableMinor } = await availableCredit(tx, customerId, false);
        if (amount.currency !== customer.creditLimit.currency) {
          throw AmeideError.invalidArgument(
            `amount must be in the customer's currency ${customer.creditLimit.currency}`,
            [
              {
                field: 'amount.currency',
                description: `must be ${customer.creditLimit.currency}, got ${amount.currency}`,
              },
            ],
          );
        }
        return {
          approved: amount.amountMinor <= availableMinor,
          available: { currency: customer.creditLimit.currency, amountMinor: availableMinor },
        };
      });
    },
    async createOrder(ctx, input) {
      const orderId = newEventId();
      return versioned(
        await uow.execute(ctx, orderStore, orderId, async (_current, tx) => {
          const customer = await customerStore.load(tx, input.customerId);
          if (!customer) throw notFound('customer', input.customerId, 'customer_id');
          if (customer.state.creditLimit.currency !== input.currency) {
            throw AmeideError.invalidArgument(
              `currency must be the customer's currency ${customer.state.creditLimit.currency}`,
              [
                {
                  field: 'currency',
                  description: `must be ${customer.state.creditLimit.currency}, got ${input.currency}`,
                },
              ],
            );
          }
          return orders.createOrder({
            orderId,
            customerId: input.customerId,
            currency: input.currency,
            now: now(),
          });
        }),
      );
    },
    addLine: async (ctx, orderId, line) => {
      // Priced before the transaction: an extension may take milliseconds and
      // call the platform back, which must not wait behind a held row lock.
      // Extensions run as the caller: a command without one (the domain used
      // directly, e.g. when seeding) keeps the price it was given.
      const priced =
        options.pricing && ctx.caller && line.unitPrice.amountMinor > 0n
          ? await options.pricing.price(ctx, { orderId, ...line })
          : undefined;
      if (priced) checkPriceBounds(priced, line.unitPrice.amountMinor, maxDiscountPercent);
      return orderCommand(ctx, orderId, (order) => {
        if (line.unitPrice.currency !== order.currency) {
          throw AmeideError.invalidArgument(
            `unit price must be in the order's currency ${order.currency}`,
            [
              {
                field: 'unit_price.currency',
                description: `must be ${order.currency}, got ${line.unitPrice.currency}`,
              },
            ],
          );
        }
        if (line.unitPrice.amountMinor < 0n)
          throw AmeideError.invalidArgument('unit price must not be negative', [
            { field: 'unit_price.amount_minor', description: 'must not be negative' },
          ]);
        return orders.addLine(
          order,
          {
            lineId: newEventId(),
            sku: line.sku,
            quantity: line.quantity,
            unitPriceMinor: priced ? priced.unitPriceMinor : line.unitPrice.amountMinor,
          },
          now(),
          priced
            ? { requestedUnitPriceMinor: line.unitPrice.amountMinor, source: priced.source }
            : undefined,
        );
      });
    },
    removeLine: (ctx, orderId, lineId) =>
      orderCommand(ctx, orderId, (order) => orders.removeLine(order, lineId, now())),
    confirm: (ctx, orderId) =>
      orderCommand(ctx, orderId, async (order, tx) => {
        if (order.status !== orders.OrderStatus.Draft) return orders.confirm(order, 0n, now());
        const { availableMinor } = await availableCredit(tx, order.customerId, true);
        return orders.confirm(order, availableMinor, now());
      }),
    cancel: (ctx, orderId, reason) =>
      orderCommand(ctx, orderId, (order) => orders.cancel(order, reason, now())),
    markFulfilled: (ctx, orderId) =>
      orderCommand(ctx, orderId, (order) => orders.markFulfilled(order, now())),
    recordPayment: (ctx, orderId, amount, reference) =>
      orderCommand(ctx, orderId, (order) => {
        if (amount.currency !== order.currency) {
          throw AmeideError.invalidArgument(
            `amount must be in the order's currency ${order.currency}`,
            [
              {
                field: 'amount.currency',
                description: `must be ${order.currency}, got ${amount.currency}`,
              },
            ],
          );
        }
        return orders.recordPayment(order, amount.amountMinor, reference, now());
      }),
    async getOrder(ctx, orderId) {
      const loaded = await uow.read(ctx, (tx) => orderStore.load(tx, orderId));
      if (!loaded) throw notFound('order', orderId, 'order_id');
      return { value: loaded.state, version: loaded.version };
    },
    async listOrders(ctx, filter) {
      const after = decodePageToken(filter.pageToken);
      const { rows } = await uow.read(ctx, (tx) =>
        tx.query<OrderRow>(
          `SELECT ${ORDER_COLUMNS} FROM sales.orders
            WHERE order_id > $1 AND ($2::text IS NULL OR status = $2) AND ($3::uuid IS NULL OR customer_id = $3)
            ORDER BY order_id LIMIT $4`,
          [after, filter.status ?? null, filter.customerId ?? null, filter.pageSize + 1],
        ),
      );
      return pageOf(
        rows.map((r) => ({ value: orderFromRow(r), version: BigInt(r.version) })),
        filter.pageSize,
        (o) => o.value.orderId,
      );
    },
  };
}

function emailTaken(email: string): AmeideError {
  return new AmeideError('already_exists', `a customer with email ${email} exists`, {
    reason: 'CUSTOMER_EMAIL_TAKEN',
    domain: 'ameide.sales',
    fieldViolations: [{ field: 'email', description: 'another customer of this tenant has it' }],
  });
}

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

function decodePageToken(token: string): string {
  if (token === '') return NIL_UUID;
  const id = Buffer.from(token, 'base64url').toString('utf8');
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) {
    throw AmeideError.invalidArgument('page_token is not a token this service issued', [
      { field: 'page_token', description: 'pass next_page_token from the previous page' },
    ]);
  }
  return id;
}

function pageOf<T>(rows: T[], pageSize: number, idOf: (t: T) => string): Page<T> {
  const items = rows.slice(0, pageSize);
  const more = rows.length > pageSize;
  return {
    items,
    nextPageToken: more ? Buffer.from(idOf(items.at(-1)!), 'utf8').toString('base64url') : '',
  };
}

/**
 * Refuses an extension's price outside the domain's bounds (`failed_precondition`
 * naming the extension and the bound): nothing is written.
 */
function checkPriceBounds(priced: PricedLine, requestedMinor: bigint, maxDiscountPercent: number) {
  const floor = (requestedMinor * BigInt(100 - maxDiscountPercent) + 99n) / 100n;
  const refuse = (bound: string) =>
    new AmeideError(
      'failed_precondition',
      `${priced.source} priced the line at ${priced.unitPriceMinor} (minor units); ${bound}`,
      { reason: 'PRICE_OUT_OF_BOUNDS', domain: 'ameide.sales' },
    );
  if (priced.unitPriceMinor > requestedMinor)
    throw refuse(`an extension may not raise the requested ${requestedMinor}`);
  if (priced.unitPriceMinor < floor)
    throw refuse(
      `the lowest allowed is ${floor} (at most ${maxDiscountPercent}% off the requested ${requestedMinor})`,
    );
}
