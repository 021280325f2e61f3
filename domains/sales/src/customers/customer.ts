import type { AggregateStore, Decision, SqlStatement } from '@ameide/events';
import type { Money } from '../money.js';

/** The Customer aggregate. */
export interface Customer {
  readonly customerId: string;
  readonly name: string;
  readonly email: string;
  readonly creditLimit: Money;
  readonly createdAt: Date;
}

export function createCustomer(customer: Customer): Decision<Customer> {
  return {
    state: customer,
    events: [
      {
        type: 'sales.customer.created.v1',
        payload: {
          name: customer.name,
          email: customer.email,
          creditLimit: {
            currency: customer.creditLimit.currency,
            amountMinor: customer.creditLimit.amountMinor.toString(),
          },
        },
      },
    ],
  };
}

export interface CustomerRow {
  customer_id: string;
  name: string;
  email: string;
  credit_limit_currency: string;
  credit_limit_minor: bigint;
  version: bigint;
  created_at: Date;
}

export const CUSTOMER_COLUMNS = `customer_id, name, email, credit_limit_currency, credit_limit_minor, version, created_at`;

export function customerFromRow(r: CustomerRow): Customer {
  return {
    customerId: r.customer_id,
    name: r.name,
    email: r.email,
    creditLimit: { currency: r.credit_limit_currency, amountMinor: BigInt(r.credit_limit_minor) },
    createdAt: r.created_at,
  };
}

function saveCustomer(
  customerId: string,
  c: Customer,
  expected: bigint,
  next: bigint,
): SqlStatement {
  if (expected === 0n) {
    return {
      sql: `INSERT INTO sales.customers (tenant_id, customer_id, name, email, credit_limit_currency, credit_limit_minor, version, created_at)
            VALUES (current_setting('app.tenant_id'), $1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tenant_id, customer_id) DO NOTHING RETURNING 1`,
      params: [
        customerId,
        c.name,
        c.email,
        c.creditLimit.currency,
        c.creditLimit.amountMinor,
        next,
        c.createdAt,
      ],
    };
  }
  return {
    sql: `UPDATE sales.customers SET name = $2, email = $3, credit_limit_currency = $4, credit_limit_minor = $5, version = $6
          WHERE customer_id = $1 AND version = $7 RETURNING 1`,
    params: [
      customerId,
      c.name,
      c.email,
      c.creditLimit.currency,
      c.creditLimit.amountMinor,
      next,
      expected,
    ],
  };
}

/** Customers in `sales.customers`. */
export const customerStore: AggregateStore<Customer> = {
  aggregateType: 'customer',
  async load(tx, customerId) {
    const { rows } = await tx.query<CustomerRow>(
      `SELECT ${CUSTOMER_COLUMNS} FROM sales.customers WHERE customer_id = $1`,
      [customerId],
    );
    return rows[0]
      ? { state: customerFromRow(rows[0]), version: BigInt(rows[0].version) }
      : undefined;
  },
  async save(tx, customerId, c, expected, next) {
    const { sql, params } = saveCustomer(customerId, c, expected, next);
    return (await tx.query(sql, params)).rowCount === 1;
  },
  saveStatement: saveCustomer,
};
