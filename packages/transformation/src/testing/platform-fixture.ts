import type { Database } from '@ameide/persistence';
import { createAmeideClient, type AmeideClient } from '@ameide/sdk';
import type { ServiceHost } from '@ameide/server';
import { startTestHost } from '@ameide/server/testing';
import { createArtifactStore } from '../artifacts/artifact-store.js';
import { decisionDefinitionRules } from '../decisions/decision-definition-rules.js';
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
  const store = createArtifactStore({
    db,
    rules: {
      process_definition: processDefinitionRules(),
      decision_definition: decisionDefinitionRules(),
    },
    watchPollMs: 100,
  });
  const test = await startTestHost({
    primitive: { type: 'domain', name: 'transformation' },
    services: [transformationServiceRoutes({ store, processes: createProcessDefinitionTools() })],
    client: createAmeideClient,
  });
  return {
    host: test.host,
    clientFor: (tenantId, userId) => test.clientFor(tenantId, userId),
  };
}
