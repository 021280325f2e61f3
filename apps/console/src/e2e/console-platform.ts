import { Writable } from 'node:stream';
import { createPgliteDatabase, type Database } from '@ameide/persistence';
import {
  createEphemeralDevIdentity,
  createLogger,
  createTokenVerifier,
  startServiceHost,
  type ServiceHost,
} from '@ameide/server';
import {
  createArtifactStore,
  createProcessDefinitionTools,
  migrateTransformation,
  processDefinitionRules,
  transformationServiceRoutes,
} from '@ameide/transformation';
import { buildConsole, createConsoleHandler, createDevTokenHandler } from '../server/index.js';

/**
 * The platform as `ameide dev` will serve it once the console is wired in: TransformationService
 * on PGlite, the dev sign-in endpoint and the console's build on one port.
 */
export async function startConsolePlatform(): Promise<{
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
    services: [
      transformationServiceRoutes({
        store: createArtifactStore({ db, rules: { process_definition: processDefinitionRules() } }),
        processes: createProcessDefinitionTools(),
      }),
    ],
    httpFallback: (req, res) => {
      if (devToken(req, res) || consoleFiles(req, res)) return;
      res.statusCode = 404;
      res.end();
    },
  });
  return {
    host,
    db,
    async close() {
      await host.close();
      await db.close();
    },
  };
}
