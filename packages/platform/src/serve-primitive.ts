import { eventServiceRoutes, isEventHistory } from '@ameide/events';
import { createPgDatabase, type Database } from '@ameide/persistence';
import {
  createArtifactStorePlanSource,
  createDevTokenProvider,
  createProcessClient,
  processServiceRoutes,
} from '@ameide/process-runtime';
import {
  createLogger,
  createTokenVerifier,
  startServiceHost,
  type DevIdentity,
  type Logger,
  type ReadinessCheck,
  type ServiceRegistration,
  type TokenVerifierOptions,
} from '@ameide/server';
import { createArtifactStore } from '@ameide/transformation';
import { migratePrimitives, type SchemaOwner } from './database/migrate-primitives.js';
import { openDatabase, redactUrl, type DatabaseConfig } from './database/open-database.js';
import { createAgentsPrimitive, type AgentsOptions } from './primitives/agents.js';
import { startEventRelay } from './primitives/event-relay.js';
import { startEventRetention, type RetentionSettings } from './primitives/event-retention.js';
import {
  startProcessWorkerPrimitive,
  type RunningProcessWorker,
} from './primitives/process-worker.js';
import { createSalesPrimitive, type SalesOptions } from './primitives/sales.js';
import {
  connectTemporalClient,
  DEFAULT_TASK_QUEUE,
  temporalAnswers,
  type TemporalConfig,
} from './primitives/temporal.js';
import { createTransformationPrimitive } from './primitives/transformation.js';
import { startProbeServer } from './probe-server.js';
import { silentSteps, type StepReporter } from './step.js';

/** The primitives `ameide serve` runs, each as a process (a Deployment) of its own. */
export const SERVABLE_PRIMITIVES = [
  'transformation',
  'process',
  'process-worker',
  'sales',
  'events',
  'relay',
  'agents',
] as const;
export type ServablePrimitive = (typeof SERVABLE_PRIMITIVES)[number];

interface CommonServeOptions {
  /** Where the RPCs (or, for the worker and the relay, only the probes) are served. */
  readonly listen: { readonly port: number; readonly hostname: string };
  /** Default: JSON lines on stdout. */
  readonly logger?: Logger;
  readonly step?: StepReporter;
  readonly drainTimeoutMs?: number;
}

interface RpcServeOptions extends CommonServeOptions {
  readonly database: DatabaseConfig;
  /** How bearer tokens are verified: `issuer`, `audience` and `jwksUrl` (or `jwks`). */
  readonly tokens: TokenVerifierOptions;
}

/** Options of {@link servePrimitive}, per primitive. */
export type ServeOptions =
  | (RpcServeOptions & { readonly primitive: 'transformation' })
  | (RpcServeOptions & { readonly primitive: 'sales'; readonly sales?: SalesOptions })
  | (RpcServeOptions & { readonly primitive: 'events'; readonly domains?: readonly string[] })
  | (RpcServeOptions & { readonly primitive: 'process'; readonly temporal: TemporalConfig })
  | (CommonServeOptions & {
      readonly primitive: 'process-worker';
      /** The Transformation database, where published plans are read. */
      readonly database: DatabaseConfig;
      readonly temporal: TemporalConfig;
      /** Signs the tokens service tasks call domains with (the domains must trust its key). */
      readonly signingKey: DevIdentity;
      /** Base URL serving a service (`package.Service`), or one URL for all. */
      readonly serviceUrl: string | ((service: string) => string);
      readonly shutdownGraceTimeMs?: number;
    })
  | (RpcServeOptions & {
      readonly primitive: 'agents';
      /** Signs the tokens tool calls and reviews call as the caller with (services trust its key). */
      readonly signingKey: DevIdentity;
      /** Base URL serving a service (`package.Service`), or one URL for all. */
      readonly serviceUrl: string | ((service: string) => string);
      /** Proposals are reviewed by `agent-proposal-review` on a ProcessService (default true). */
      readonly reviews?: boolean;
      /** An Agent resource's Deployment: this agent only, `version` as its "latest". */
      readonly only?: { readonly agent: string; readonly version?: number };
      /** The Agent resource's tool grants: no other method is called. */
      readonly allowedMethods?: readonly string[];
      /** OpenAI-compatible endpoint, embedded model file (see `createModelFactory`). */
      readonly models?: AgentsOptions['models'];
    })
  | (CommonServeOptions & {
      readonly primitive: 'relay';
      /** The domain's database (a Postgres server: the relay's lease is a session lock). */
      readonly database: { readonly postgresUrl: string };
      readonly natsUrl: string;
      /** Whose outbox (default `sales`). */
      readonly domain?: string;
      /** Event retention on the domain's tables (default on, with the default ages). */
      readonly retention?: RetentionSettings | false;
    });

/** One running primitive. */
export interface ServedPrimitive {
  readonly primitive: ServablePrimitive;
  /** Base URL of its RPCs and probes (probes only for the worker and the relay). */
  readonly url: string;
  /** Graceful: `/readyz` answers 503, in-flight work drains, connections close. Idempotent. */
  close(): Promise<void>;
}

/** How a primitive names itself in logs (`primitive_type`, `primitive_name`). */
export function primitiveIdentity(primitive: ServablePrimitive): { type: string; name: string } {
  return identities[primitive];
}

const identities: Record<ServablePrimitive, { type: string; name: string }> = {
  transformation: { type: 'domain', name: 'transformation' },
  sales: { type: 'domain', name: 'sales' },
  events: { type: 'platform', name: 'events' },
  process: { type: 'process', name: 'process-service' },
  'process-worker': { type: 'process', name: 'process-worker' },
  relay: { type: 'integration', name: 'relay' },
  agents: { type: 'agent', name: 'agents' },
};

/**
 * Runs one primitive as a process of its own, from the same parts
 * {@link createPlatform} assembles: its RPCs behind a service host that verifies
 * tokens against the configured issuer's JWKS (or, for the process worker and the
 * relay, only `/healthz` and `/readyz`). Primitives that own a schema migrate it on
 * start; the others wait for it through `/readyz`.
 */
export async function servePrimitive(options: ServeOptions): Promise<ServedPrimitive> {
  const logger =
    options.logger ?? createLogger({ primitive: primitiveIdentity(options.primitive) });
  const step = options.step ?? silentSteps;
  const cleanup: (() => Promise<void>)[] = [];
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
    })();
    return closing;
  };
  const open = async (config: DatabaseConfig): Promise<Database> => {
    const opened = await step(
      'database',
      () => openDatabase(config),
      (d) => d.description,
    );
    if (opened.owned) cleanup.push(() => opened.db.close());
    return opened.db;
  };
  const ping =
    (db: Database): ReadinessCheck =>
    async () =>
      void (await db.query('SELECT 1'));
  const serveRpc = async (
    o: RpcServeOptions,
    services: ServiceRegistration[],
    readiness: Record<string, ReadinessCheck>,
  ): Promise<string> => {
    const host = await step(
      'service host',
      () =>
        startServiceHost({
          port: o.listen.port,
          hostname: o.listen.hostname,
          logger,
          verifier: createTokenVerifier(o.tokens),
          services,
          readiness,
          ...(o.drainTimeoutMs !== undefined ? { drainTimeoutMs: o.drainTimeoutMs } : {}),
        }),
      (h) => `${h.url}: ${h.services.join(', ')}`,
    );
    cleanup.push(() => host.close());
    return host.url;
  };
  const serveProbes = async (readiness: Record<string, ReadinessCheck>): Promise<string> => {
    const probes = await step(
      'probes',
      () => startProbeServer({ ...options.listen, readiness, logger }),
      (p) => `${p.url}/healthz, ${p.url}/readyz`,
    );
    cleanup.push(() => probes.close());
    return probes.url;
  };

  try {
    let url: string;
    switch (options.primitive) {
      case 'transformation': {
        const db = await open(options.database);
        await migrate(db, 'transformation', step);
        const { routes } = createTransformationPrimitive(db);
        url = await serveRpc(options, [routes], { database: ping(db) });
        break;
      }
      case 'sales': {
        const db = await open(options.database);
        await migrate(db, 'sales', step);
        const { routes } = createSalesPrimitive(db, options.sales);
        url = await serveRpc(options, [routes], { database: ping(db) });
        break;
      }
      case 'events': {
        const db = await open(options.database);
        const domains = [...(options.domains ?? ['sales'])];
        url = await serveRpc(options, [eventServiceRoutes({ db, domains })], {
          database: ping(db),
        });
        break;
      }
      case 'process': {
        const db = await open(options.database);
        const temporalConfig = options.temporal;
        const temporal = await step(
          'temporal client',
          () => connectTemporalClient(temporalConfig),
          () => `${temporalConfig.address}, namespace ${temporalConfig.namespace ?? 'default'}`,
        );
        cleanup.push(() => temporal.connection.close());
        const processes = createProcessClient({
          temporal,
          taskQueue: temporalConfig.taskQueue ?? DEFAULT_TASK_QUEUE,
          plans: createArtifactStorePlanSource(createArtifactStore({ db })),
        });
        url = await serveRpc(options, [processServiceRoutes(processes)], {
          database: ping(db),
          temporal: () => temporalAnswers(temporal),
        });
        break;
      }
      case 'process-worker': {
        const db = await open(options.database);
        // Instance lifecycle events go to the process log in the worker's database.
        await migrate(db, 'process', step);
        const temporalConfig = options.temporal;
        // Probes first: the worker bundles the workflow code before it polls (seconds).
        const state: { worker?: RunningProcessWorker } = {};
        url = await serveProbes({
          database: ping(db),
          worker: () =>
            state.worker?.running()
              ? Promise.resolve()
              : Promise.reject(new Error(state.worker ? 'not polling' : 'starting')),
        });
        const started = await step(
          'process worker',
          () =>
            startProcessWorkerPrimitive({
              temporal: temporalConfig,
              plans: createArtifactStorePlanSource(createArtifactStore({ db })),
              tokens: createDevTokenProvider(options.signingKey),
              serviceUrl: options.serviceUrl,
              logger,
              events: { db },
              ...(options.shutdownGraceTimeMs !== undefined
                ? { shutdownGraceTimeMs: options.shutdownGraceTimeMs }
                : {}),
            }),
          (w) => `${temporalConfig.address}, task queue ${w.taskQueue}`,
        );
        state.worker = started;
        cleanup.push(() => started.close());
        break;
      }
      case 'agents': {
        // Runs and proposals in the agents schema; definitions read from the Transformation
        // database (the same one, as for ProcessService).
        const db = await open(options.database);
        await migrate(db, 'agents', step);
        const route = options.serviceUrl;
        const agents = createAgentsPrimitive({
          db,
          store: createArtifactStore({ db }),
          tokens: createDevTokenProvider(options.signingKey),
          serviceUrl: typeof route === 'string' ? () => route : route,
          processes: options.reviews ?? true,
          logger,
          ...(options.only ? { only: options.only } : {}),
          ...(options.allowedMethods ? { allowedMethods: options.allowedMethods } : {}),
          ...(options.models ? { models: options.models } : {}),
        });
        url = await serveRpc(options, [agents.routes], { database: ping(db) });
        break;
      }
      case 'relay': {
        const { postgresUrl } = options.database;
        const db = await open({ postgresUrl, poolMax: 2 });
        url = await serveProbes({ database: ping(db) });
        // The relay's lease is a session advisory lock: one connection of its own.
        const relayDb = createPgDatabase({ url: postgresUrl, pool: { max: 1 } });
        cleanup.push(() => relayDb.close());
        const natsUrl = options.natsUrl;
        const domain = options.domain ?? 'sales';
        const relay = await step(
          'event relay',
          () => startEventRelay({ db: relayDb, natsUrl, domain, logger }),
          () => `${domain} outbox in ${redactUrl(postgresUrl)} → ${natsUrl}`,
        );
        cleanup.push(() => relay.close());
        // A domain whose log is its event-sourced history (transformation) is never pruned.
        if (options.retention !== false && !(await isEventHistory(db, domain))) {
          const settings = options.retention ?? {};
          const retention = await step('event retention', () =>
            Promise.resolve(
              startEventRetention({ db, schemas: [domain], relays: [domain], logger, ...settings }),
            ),
          );
          cleanup.push(() => retention.stop());
        }
        break;
      }
    }
    logger.info({ primitive: options.primitive, url }, 'primitive ready');
    return { primitive: options.primitive, url, close };
  } catch (err) {
    await close();
    throw err;
  }
}

async function migrate(db: Database, owner: SchemaOwner, step: StepReporter): Promise<void> {
  await step(
    'migrations',
    () => migratePrimitives(db, [owner]),
    (applied) => (applied.length ? `applied ${applied.length}` : 'up to date'),
  );
}
