import { createAmeideClient } from '@ameide/sdk';
import { createEphemeralDevIdentity } from '@ameide/server';
import { describeOrderServiceContract } from './order-service-contract.js';
import { startSalesDouble } from './sales-double.js';

// The same suite runs against the real sales domain in
// packages/cli/src/contracts/sales-domain.contract.int.test.ts.
describeOrderServiceContract('sales double', async () => {
  const identity = await createEphemeralDevIdentity();
  const double = await startSalesDouble(identity);
  return {
    async clientFor(tenantId) {
      return createAmeideClient({
        baseUrl: double.url,
        token: await identity.signToken({ tenantId, userId: `${tenantId}-user` }),
      });
    },
    close: () => double.close(),
  };
});
