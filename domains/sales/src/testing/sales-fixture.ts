// Test support: a migrated database per test file (Postgres or PGlite) and a
// service host serving the sales routes, with SDK clients per tenant.
import { Writable } from 'node:stream';
import { createPgDatabase, createPgliteDatabase, type Database } from '@ameide/persistence';
import { createAmeideClient, type AmeideClient } from '@ameide/sdk';
import {
  createEphemeralDevIdentity,
  createLogger,
  createTokenVerifier,
  startServiceHost,
  type ServiceHost,
} from '@ameide/server';
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
  const identity = await createEphemeralDevIdentity();
  const host = await startServiceHost({
    port: 0,
    verifier: createTokenVerifier({
      issuer: identity.issuer,
      audience: identity.audience,
      jwks: identity.jwks,
    }),
    logger: createLogger({
      primitive: { type: 'domain', name: 'sales' },
      destination: new Writable({ write: (_c, _e, cb) => cb() }),
    }),
    services: [salesServiceRoutes({ domain: createSalesDomain({ db }) })],
  });
  return {
    host,
    async clientFor(tenantId) {
      return createAmeideClient({
        baseUrl: host.url,
        token: await identity.signToken({ tenantId, userId: `${tenantId}-user` }),
      });
    },
  };
}
