import { createPgliteDatabase } from '@ameide/persistence';
import { describeOrderServiceContract } from '@ameide/process-runtime/testing';
import { createSalesDomain, migrateSales, salesServiceRoutes } from '@ameide/sales';
import { createAmeideClient } from '@ameide/sdk';
import { startTestHost } from '@ameide/server/testing';

// The contract the process activities rely on, against the real sales domain as
// `ameide dev` runs it (PGlite, RLS under the app role). The process runtime's own
// tests run the same suite against their sales double.
describeOrderServiceContract('sales domain on PGlite', async () => {
  const db = await createPgliteDatabase();
  await migrateSales(db);
  const test = await startTestHost({
    primitive: { type: 'domain', name: 'sales' },
    services: [salesServiceRoutes({ domain: createSalesDomain({ db }) })],
    client: createAmeideClient,
  });
  return {
    clientFor: (tenantId) => test.clientFor(tenantId),
    async close() {
      await test.close();
      await db.close();
    },
  };
});
