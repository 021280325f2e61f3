-- The sales domain's state: customers and orders (an order keeps its lines and
-- payment references in the row, the aggregate is loaded and saved whole).
-- Every table is a tenant table under FORCE RLS; V2 (eventTablesMigration,
-- in code) adds the outbox and the consumer tables.

CREATE TABLE sales.customers (
  tenant_id             text   NOT NULL,
  customer_id           uuid   NOT NULL,
  name                  text   NOT NULL,
  email                 text   NOT NULL,
  credit_limit_currency text   NOT NULL CHECK (credit_limit_currency ~ '^[A-Z]{3}$'),
  credit_limit_minor    bigint NOT NULL CHECK (credit_limit_minor >= 0),
  version               bigint NOT NULL CHECK (version > 0),
  created_at            timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, customer_id)
);
CREATE UNIQUE INDEX customers_email ON sales.customers (tenant_id, lower(email));

CREATE TABLE sales.orders (
  tenant_id          text   NOT NULL,
  order_id           uuid   NOT NULL,
  customer_id        uuid   NOT NULL,
  currency           text   NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  status             text   NOT NULL CHECK (status IN ('draft', 'confirmed', 'paid', 'fulfilled', 'cancelled')),
  lines              jsonb  NOT NULL,
  total_minor        bigint NOT NULL CHECK (total_minor >= 0),
  paid_minor         bigint NOT NULL CHECK (paid_minor >= 0 AND paid_minor <= total_minor),
  payment_references jsonb  NOT NULL,
  cancel_reason      text,
  version            bigint NOT NULL CHECK (version > 0),
  created_at         timestamptz NOT NULL,
  updated_at         timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, order_id),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES sales.customers (tenant_id, customer_id)
);
CREATE INDEX orders_list ON sales.orders (tenant_id, status, order_id);
CREATE INDEX orders_customer ON sales.orders (tenant_id, customer_id, order_id);

SELECT ameide.enable_tenant_rls('sales.customers');
SELECT ameide.enable_tenant_rls('sales.orders');
-- Aggregates are never deleted by the app; cancelled orders stay.
REVOKE DELETE ON sales.customers, sales.orders FROM ameide_app;
