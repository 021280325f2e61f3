// Test support: a migrated database per test file (Postgres or PGlite) and a
// service host serving the sales routes, with SDK clients per tenant.
import { createPgDatabase, createPgliteDatabase, type Database } from '@ameide/persistence';
import { createAmeideClient, type AmeideClient } from '@ameide/sdk';
import type { ServiceHost } from '@ameide/server';
import { startTestHost } from '@ameide/server/testing';
import { createTestDatabase } from '@ameide/testing';
import { migrateSales } from '../migrate-sales.js';
import { createSalesDomain } from '../sales-domain.js';
import { salesServiceRoutes } from '../service/sales-service.js';

export type Engine = 'postgres' | 'pglite';

export async function openSalesDatabase(
  engine: Engine,
  label: string,
): Promise<{ db: Database; url: string | undefined; close(): Promise<void> }> {
  if (engine === 'pglite') {
    const db = await createPgliteDatabase();
    await migrateSales(db);
    return { db, url: undefined, close: () => db.close() };
  }
  const testDb = await createTestDatabase(label);
  const db = createPgDatabase({ url: testDb.url, pool: { max: 20 } });
  await migrateSales(db);
  return {
    db,
    url: testDb.url,
    async close() {
      await db.close();
      await testDb.drop();
    },
  };
}

/** A service host serving OrderService and CustomerService on `db`. */
export async function startSalesHost(
  db: Database,
): Promise<{ host: ServiceHost; clientFor(tenantId: string): Promise<AmeideClient> }> {
  const test = await startTestHost({
    primitive: { type: 'domain', name: 'sales' },
    services: [salesServiceRoutes({ domain: createSalesDomain({ db }) })],
    client: createAmeideClient,
  });
  return { host: test.host, clientFor: (tenantId) => test.clientFor(tenantId) };
}
