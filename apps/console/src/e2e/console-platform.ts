import { randomUUID } from 'node:crypto';
import type { Database } from '@ameide/persistence';
import { createPlatform, type PlatformOptions, type PlatformService } from '@ameide/platform';
import { createEphemeralDevIdentity, type ServiceHost } from '@ameide/server';
import { createSilentLogger } from '@ameide/server/testing';
import { buildConsole, createConsoleFallback } from '../server/index.js';

/**
 * The platform as `ameide dev` serves it (the same composition root), on in-memory PGlite:
 * TransformationService, the dev sign-in endpoint and the console's build on one port; with a
 * Temporal address also ProcessService and a worker on a task queue of its own, running what is
 * published in this store.
 */
export async function startConsolePlatform(
  options: {
    temporalAddress?: string;
    /** Tenants get realms there, and the console signs in at them (authorization code + PKCE). */
    keycloak?: { url: string; admin: { username: string; password: string }; sharedRealm?: string };
    /** Instead of `process` alone (with a Temporal address): e.g. `sales` too, for agents' tools. */
    services?: readonly PlatformService[];
    /** Agents' models (tests: a scripted model for every agent). */
    agents?: PlatformOptions['agents'];
  } = {},
): Promise<{
  host: ServiceHost;
  db: Database;
  close(): Promise<void>;
}> {
  const { distDir } = await buildConsole();
  const identity = await createEphemeralDevIdentity();
  const consoleFallback = createConsoleFallback({ identity, distDir });
  const platform = await createPlatform({
    database: { pglite: true },
    identity,
    services: options.services ?? (options.temporalAddress ? ['process'] : []),
    ...(options.temporalAddress
      ? {
          temporal: {
            address: options.temporalAddress,
            taskQueue: `console-e2e-${randomUUID()}`,
          },
        }
      : {}),
    host: {
      port: 0,
      hostname: '127.0.0.1',
      httpFallback: consoleFallback.httpFallback,
    },
    logger: createSilentLogger({ type: 'domain', name: 'transformation' }),
    ...(options.agents ? { agents: options.agents } : {}),
    ...(options.keycloak ? { tenancy: { keycloak: options.keycloak, deleteRetentionMs: 0 } } : {}),
  });
  consoleFallback.tenantIssuers((tenantId) => platform.tenantIssuer(tenantId));
  return { host: platform.host, db: platform.db, close: () => platform.close() };
}
