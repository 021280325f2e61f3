import { Writable } from 'node:stream';
import { createPgliteDatabase } from '@ameide/persistence';
import { describeOrderServiceContract } from '@ameide/process-runtime/testing';
import { createSalesDomain, migrateSales, salesServiceRoutes } from '@ameide/sales';
import { createAmeideClient } from '@ameide/sdk';
import {
  createEphemeralDevIdentity,
  createLogger,
  createTokenVerifier,
  startServiceHost,
} from '@ameide/server';

// The contract the process activities rely on, against the real sales domain as
// `ameide dev` runs it (PGlite, RLS under the app role). The process runtime's own
// tests run the same suite against their sales double.
describeOrderServiceContract('sales domain on PGlite', async () => {
  const db = await createPgliteDatabase();
  await migrateSales(db);
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
    async clientFor(tenantId) {
      return createAmeideClient({
        baseUrl: host.url,
        token: await identity.signToken({ tenantId, userId: `${tenantId}-user` }),
      });
    },
    async close() {
      await host.close();
      await db.close();
    },
  };
});
