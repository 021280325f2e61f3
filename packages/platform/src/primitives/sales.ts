import type { Database } from '@ameide/persistence';
import {
  createSalesDomain,
  salesServiceRoutes,
  type OrderLinePricing,
  type SalesDomain,
} from '@ameide/sales';
import type { ServiceRegistration } from '@ameide/server';

/** The sales Domain primitive: the domain and its OrderService/CustomerService. */
export interface SalesPrimitive {
  readonly domain: SalesDomain;
  readonly routes: ServiceRegistration;
}

export interface SalesOptions {
  /** How long a retried command answers its first reply (default: the domain's, 7 days). */
  readonly idempotencyRetentionMs?: number;
  /** The order-line pricing extension point (tenant extensions). */
  readonly pricing?: OrderLinePricing;
}

/** Builds the sales domain on a migrated database. */
export function createSalesPrimitive(db: Database, options: SalesOptions = {}): SalesPrimitive {
  const domain = createSalesDomain({
    db,
    ...(options.idempotencyRetentionMs !== undefined
      ? { idempotencyRetentionMs: options.idempotencyRetentionMs }
      : {}),
    ...(options.pricing ? { pricing: options.pricing } : {}),
  });
  return { domain, routes: salesServiceRoutes({ domain }) };
}
