import { Writable } from 'node:stream';
import type { Database } from '@ameide/persistence';
import { createAmeideClient, type AmeideClient } from '@ameide/sdk';
import {
  createEphemeralDevIdentity,
  createLogger,
  createTokenVerifier,
  startServiceHost,
  type ServiceHost,
} from '@ameide/server';
import { createArtifactStore } from '../artifacts/artifact-store.js';
import {
  createProcessDefinitionTools,
  processDefinitionRules,
} from '../service/process-definition-tools.js';
import { transformationServiceRoutes } from '../service/transformation-service.js';

/** A service host serving TransformationService on `db`, and SDK clients per tenant. */
export async function startTransformationHost(db: Database): Promise<{
  host: ServiceHost;
  clientFor(tenantId: string, userId?: string): Promise<AmeideClient>;
}> {
  const identity = await createEphemeralDevIdentity();
  const store = createArtifactStore({
    db,
    rules: { process_definition: processDefinitionRules() },
    watchPollMs: 100,
  });
  const host = await startServiceHost({
    port: 0,
    verifier: createTokenVerifier({
      issuer: identity.issuer,
      audience: identity.audience,
      jwks: identity.jwks,
    }),
    logger: createLogger({
      primitive: { type: 'domain', name: 'transformation' },
      destination: new Writable({ write: (_c, _e, cb) => cb() }),
    }),
    services: [transformationServiceRoutes({ store, processes: createProcessDefinitionTools() })],
  });
  return {
    host,
    async clientFor(tenantId, userId = `${tenantId}-user`) {
      return createAmeideClient({
        baseUrl: host.url,
        token: await identity.signToken({ tenantId, userId }),
      });
    },
  };
}
