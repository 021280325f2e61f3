import { Writable } from 'node:stream';
import { createPgliteDatabase, type Database } from '@ameide/persistence';
import {
  createEphemeralDevIdentity,
  createLogger,
  createTokenVerifier,
  startServiceHost,
  type ServiceHost,
  type ServiceRegistration,
} from '@ameide/server';
import {
  createArtifactStore,
  createProcessDefinitionTools,
  migrateTransformation,
  processDefinitionRules,
  transformationServiceRoutes,
} from '@ameide/transformation';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import {
  createArtifactStorePlanSource,
  createDevTokenProvider,
  createProcessClient,
  createProcessWorker,
  processServiceRoutes,
} from '@ameide/process-runtime';
import { buildConsole, createConsoleHandler, createDevTokenHandler } from '../server/index.js';

/**
 * The platform as `ameide dev` will serve it once the console is wired in: TransformationService
 * on PGlite, the dev sign-in endpoint and the console's build on one port.
 */
export async function startConsolePlatform(options: { temporalAddress?: string } = {}): Promise<{
  host: ServiceHost;
  db: Database;
  close(): Promise<void>;
}> {
  const { distDir } = await buildConsole();
  const db = await createPgliteDatabase();
  await migrateTransformation(db);
  const identity = await createEphemeralDevIdentity();
  const devToken = createDevTokenHandler(identity);
  const consoleFiles = createConsoleHandler({ distDir });
  const store = createArtifactStore({
    db,
    rules: { process_definition: processDefinitionRules() },
  });
  const closers: (() => Promise<void>)[] = [];
  const routes: ServiceRegistration[] = [
    transformationServiceRoutes({ store, processes: createProcessDefinitionTools() }),
  ];
  let startWorker: ((serviceUrl: string) => Promise<void>) | undefined;
  if (options.temporalAddress) {
    // ProcessService + a worker on its own task queue, running what is published in this store.
    const taskQueue = `console-e2e-${randomUUID()}`;
    const clientConnection = await Connection.connect({ address: options.temporalAddress });
    const connection = await NativeConnection.connect({ address: options.temporalAddress });
    const plans = createArtifactStorePlanSource(store);
    const processes = createProcessClient({
      temporal: new Client({ connection: clientConnection }),
      taskQueue,
      plans,
    });
    routes.push(processServiceRoutes(processes));
    startWorker = async (serviceUrl) => {
      const worker = await createProcessWorker({
        connection,
        taskQueue,
        activities: { plans, tokens: createDevTokenProvider(identity), serviceUrl },
      });
      void worker.run();
      closers.push(() => worker.shutdown());
    };
    closers.push(
      () => connection.close(),
      () => clientConnection.close(),
    );
  }
  const host = await startServiceHost({
    port: 0,
    hostname: '127.0.0.1',
    verifier: createTokenVerifier({
      issuer: identity.issuer,
      audience: identity.audience,
      jwks: identity.jwks,
    }),
    logger: createLogger({
      primitive: { type: 'domain', name: 'transformation' },
      destination: new Writable({ write: (_c, _e, cb) => cb() }),
    }),
    services: routes,
    httpFallback: (req, res) => {
      if (devToken(req, res) || consoleFiles(req, res)) return;
      res.statusCode = 404;
      res.end();
    },
  });
  await startWorker?.(host.url);
  return {
    host,
    db,
    async close() {
      for (const close of closers.reverse()) await close();
      await host.close();
      await db.close();
    },
  };
}
