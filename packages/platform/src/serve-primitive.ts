import { Client } from '@temporalio/client';
import { eventServiceRoutes, isEventHistory } from '@ameide/events';
import { createPgDatabase, type Database } from '@ameide/persistence';
import {
  createArtifactStorePlanSource,
  createDevTokenProvider,
  createProcessClient,
  createStartTriggers,
  createStartSchedules,
  processServiceRoutes,
} from '@ameide/process-runtime';
import {
  AMEIDE_AUDIENCE,
  createLogger,
  createMultiIssuerVerifier,
  createTokenVerifier,
  withAdmission,
  startServiceHost,
  type DevIdentity,
  type Logger,
  type ReadinessCheck,
  type ServiceRegistration,
  type TokenVerifier,
  type TokenVerifierOptions,
} from '@ameide/server';
import {
  createTenantData,
  createTenantDirectory,
  createTenantRegistry,
  migrateTenancy,
  type TenantData,
  type TenantRegistry,
} from '@ameide/tenancy';
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
import { createTenantsPrimitive, type TenantKeycloakConfig } from './primitives/tenants.js';
import { createTransformationPrimitive } from './primitives/transformation.js';
import { startProbeServer } from './probe-server.js';
import { startStartEventSync } from './primitives/start-schedules.js';
import { startNamespaceWorkers } from './tenants/namespace-workers.js';
import { createKeyedRunners } from './keyed-runners.js';
import { createTenantRouting, type TenantRouting } from './tenants/tenant-routing.js';
import { logRelays } from './primitives/log-relays.js';
import type { TenantProvisionerOptions } from '@ameide/tenancy';
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
  'tenants',
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

/**
 * The platform's tenant registry (the database `ameide serve tenants` keeps it in): with it,
 * a primitive admits each call's tenant there (a suspended or deleted tenant is refused, a
 * tenant realm's token only for its tenant), trusts the tenants' realms, sends a tenant with
 * a database of its own there (migrating its schema in it) and, for the process primitives,
 * uses the tenant's Temporal namespace. It reads the registry again every `refreshMs`.
 */
export interface TenantRegistryConfig {
  readonly postgresUrl: string;
  /** Default 5 s. Admission looks a tenant up again after 2 s whatever this is. */
  readonly refreshMs?: number;
}

interface RpcServeOptions extends CommonServeOptions {
  readonly database: DatabaseConfig;
  /** How bearer tokens are verified: `issuer`, `audience` and `jwksUrl` (or `jwks`). */
  readonly tokens: TokenVerifierOptions;
  /** Without it every token's tenant is taken as it is (no registry to ask). */
  readonly tenants?: TenantRegistryConfig;
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
      /** With it, the worker also polls each tenant namespace of its own. */
      readonly tenants?: TenantRegistryConfig;
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
      /** With it, the domain's outbox in each tenant database of its own is relayed too. */
      readonly tenants?: TenantRegistryConfig;
    })
  | (RpcServeOptions & {
      readonly primitive: 'tenants';
      readonly keycloak?: TenantKeycloakConfig;
      /** Enterprise tenants get a Temporal namespace of their own there. */
      readonly temporalAddress?: string;
      /** Applies each tenant's `AmeideTenant` resource. */
      readonly kubernetes?: TenantProvisionerOptions['kubernetes'];
      readonly deleteRetentionMs?: number;
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
  tenants: { type: 'platform', name: 'tenants' },
};

/** The schemas every tenant database of its own holds (it may hold any primitive's rows). */
const TENANT_DATABASE_OWNERS: SchemaOwner[] = ['transformation', 'agents', 'process', 'sales'];

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
    registry?: TenantRegistry,
  ): Promise<string> => {
    const host = await step(
      'service host',
      () =>
        startServiceHost({
          port: o.listen.port,
          hostname: o.listen.hostname,
          logger,
          verifier: registry ? admitted(o.tokens, registry) : createTokenVerifier(o.tokens),
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

  /** The tenant registry, the routes it records and, for `owner`, its schema in each tenant database. */
  const tenancyOf = async (
    config: TenantRegistryConfig | undefined,
    db: Database,
    owner?: SchemaOwner,
  ): Promise<
    { registry: TenantRegistry; data: TenantData; routing: TenantRouting } | undefined
  > => {
    if (!config) return undefined;
    const registryDb = await step(
      'tenant registry',
      async () => {
        const rdb = createPgDatabase({ url: config.postgresUrl, pool: { max: 2 } });
        try {
          await createTenantRegistry(rdb).list();
          return rdb;
        } catch (err) {
          await rdb.close();
          throw new Error(
            `no tenant registry in ${redactUrl(config.postgresUrl)} (${(err as Error).message}): start \`ameide serve tenants\` on that database first`,
            { cause: err },
          );
        }
      },
      () => redactUrl(config.postgresUrl),
    );
    cleanup.push(() => registryDb.close());
    const registry = createTenantRegistry(registryDb);
    const data = createTenantData({
      db: registryDb,
      postgresUrl: config.postgresUrl,
      migrate: () =>
        Promise.reject(new Error('only `ameide serve tenants` creates tenant databases')),
    });
    cleanup.push(() => data.close());
    const routing = await createTenantRouting({
      registry,
      data,
      db,
      refreshMs: config.refreshMs ?? 5_000,
      onError: (err) =>
        logger.warn({ err }, 'cannot read the tenant registry; keeping the last routes'),
    });
    cleanup.push(() => Promise.resolve(routing.close()));
    if (owner) {
      // A tenant database made before this version of the primitive gets its schema changes too.
      const migrated = new Set<string>();
      const migrateDedicated = async () => {
        for (const own of routing.dedicated().values())
          if (!migrated.has(own.name)) {
            await migratePrimitives(own.db, [owner]);
            migrated.add(own.name);
          }
      };
      routing.subscribe(migrateDedicated);
      await migrateDedicated();
    }
    return { registry, data, routing };
  };

  try {
    let url: string;
    switch (options.primitive) {
      case 'transformation': {
        const db = await open(options.database);
        await migrate(db, 'transformation', step);
        const tenancy = await tenancyOf(options.tenants, db, 'transformation');
        const { routes } = createTransformationPrimitive(tenancy?.routing.db ?? db);
        url = await serveRpc(options, [routes], { database: ping(db) }, tenancy?.registry);
        break;
      }
      case 'sales': {
        const db = await open(options.database);
        await migrate(db, 'sales', step);
        const tenancy = await tenancyOf(options.tenants, db, 'sales');
        const { routes } = createSalesPrimitive(tenancy?.routing.db ?? db, options.sales);
        url = await serveRpc(options, [routes], { database: ping(db) }, tenancy?.registry);
        break;
      }
      case 'events': {
        const db = await open(options.database);
        const domains = [...(options.domains ?? ['sales'])];
        const tenancy = await tenancyOf(options.tenants, db);
        url = await serveRpc(
          options,
          [eventServiceRoutes({ db: tenancy?.routing.db ?? db, domains })],
          { database: ping(db) },
          tenancy?.registry,
        );
        break;
      }
      case 'process': {
        const db = await open(options.database);
        // The schedule sync keeps its inbox in the process schema.
        await migrate(db, 'process', step);
        const tenancy = await tenancyOf(options.tenants, db, 'process');
        const temporalConfig = options.temporal;
        const temporal = await step(
          'temporal client',
          () => connectTemporalClient(temporalConfig),
          () => `${temporalConfig.address}, namespace ${temporalConfig.namespace ?? 'default'}`,
        );
        cleanup.push(() => temporal.connection.close());
        const shared = temporalConfig.namespace ?? 'default';
        const clientOf = (namespace: string) =>
          namespace === shared
            ? temporal
            : new Client({ connection: temporal.connection, namespace });
        const namespaceFor = (tenantId: string) => tenancy?.routing.namespaceOf(tenantId) ?? shared;
        const taskQueue = temporalConfig.taskQueue ?? DEFAULT_TASK_QUEUE;
        const processes = createProcessClient({
          temporal: clientOf,
          namespaceFor,
          taskQueue,
          plans: createArtifactStorePlanSource(
            createArtifactStore({ db: tenancy?.routing.db ?? db }),
          ),
          startTriggers: createStartTriggers(tenancy?.routing.db ?? db),
        });
        // Timer start events as Temporal Schedules, kept in step with publishing: on the shared
        // database, and on each tenant database of its own as tenants come and go.
        const schedules = createStartSchedules({ temporal: clientOf, namespaceFor, taskQueue });
        const sync = await step('start events', () =>
          Promise.resolve(startStartEventSync({ db, schedules, logger })),
        );
        cleanup.push(() => sync.stop());
        if (tenancy) {
          const perTenant = await runPerTenantDatabase(tenancy.routing, logger, {
            doing: 'keep the start events of',
            start: (_name, tenantDb) => {
              const running = startStartEventSync({ db: tenantDb, schedules, logger });
              return Promise.resolve(() => running.stop());
            },
          });
          cleanup.push(() => perTenant.close());
        }
        url = await serveRpc(
          options,
          [processServiceRoutes(processes)],
          {
            database: ping(db),
            temporal: () => temporalAnswers(temporal),
          },
          tenancy?.registry,
        );
        break;
      }
      case 'process-worker': {
        const db = await open(options.database);
        // Instance lifecycle events go to the process log in the worker's database.
        await migrate(db, 'process', step);
        const tenancy = await tenancyOf(options.tenants, db, 'process');
        const tenantDb = tenancy?.routing.db ?? db;
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
        const workerIn = (namespace?: string) =>
          startProcessWorkerPrimitive({
            temporal: namespace ? { ...temporalConfig, namespace } : temporalConfig,
            plans: createArtifactStorePlanSource(createArtifactStore({ db: tenantDb })),
            tokens: createDevTokenProvider(options.signingKey),
            serviceUrl: options.serviceUrl,
            logger,
            events: { db: tenantDb },
            ...(options.shutdownGraceTimeMs !== undefined
              ? { shutdownGraceTimeMs: options.shutdownGraceTimeMs }
              : {}),
          });
        const started = await step(
          'process worker',
          () => workerIn(),
          (w) => `${temporalConfig.address}, task queue ${w.taskQueue}`,
        );
        state.worker = started;
        cleanup.push(() => started.close());
        if (tenancy) {
          // And one per tenant namespace of its own, as tenants come and go.
          const routing = tenancy.routing;
          const workers = startNamespaceWorkers({ start: (ns) => workerIn(ns), logger });
          cleanup.push(() => workers.close());
          routing.subscribe(() => workers.sync(routing.namespaces()));
          workers.sync(routing.namespaces());
        }
        break;
      }
      case 'agents': {
        // Runs and proposals in the agents schema; definitions read from the Transformation
        // database (the same one, as for ProcessService).
        const db = await open(options.database);
        await migrate(db, 'agents', step);
        const tenancy = await tenancyOf(options.tenants, db, 'agents');
        const tenantDb = tenancy?.routing.db ?? db;
        const route = options.serviceUrl;
        const agents = createAgentsPrimitive({
          db: tenantDb,
          store: createArtifactStore({ db: tenantDb }),
          tokens: createDevTokenProvider(options.signingKey),
          serviceUrl: typeof route === 'string' ? () => route : route,
          processes: options.reviews ?? true,
          logger,
          ...(options.only ? { only: options.only } : {}),
          ...(options.allowedMethods ? { allowedMethods: options.allowedMethods } : {}),
          ...(options.models ? { models: options.models } : {}),
        });
        url = await serveRpc(options, [agents.routes], { database: ping(db) }, tenancy?.registry);
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
        const history = await isEventHistory(db, domain);
        // A domain whose log is its event-sourced history (transformation) is never pruned.
        const settings =
          options.retention !== false && !history ? (options.retention ?? {}) : undefined;
        if (settings) {
          const retention = await step('event retention', () =>
            Promise.resolve(
              startEventRetention({ db, schemas: [domain], relays: [domain], logger, ...settings }),
            ),
          );
          cleanup.push(() => retention.stop());
        }
        const tenancy = await tenancyOf(options.tenants, db);
        if (tenancy) {
          // The same domain's outbox in each tenant database of its own, as tenants come and go.
          const { routing, data } = tenancy;
          const startFor = async (name: string, tenantDb: Database) => {
            const [spec] = logRelays({
              nats: { url: natsUrl, domains: [domain] },
              connection: () => data.connect(name),
              clientTag: `ameide-relay-${name}`,
              logger,
            });
            const started = await spec!.start();
            // A retention that cannot start must not leave the relay it belongs to running.
            let retention: ReturnType<typeof startEventRetention> | undefined;
            try {
              retention = settings
                ? startEventRetention({
                    db: tenantDb,
                    schemas: [domain],
                    relays: [domain],
                    logger,
                    ...settings,
                  })
                : undefined;
            } catch (err) {
              await started.close();
              throw err;
            }
            logger.info({ database: name, domain }, 'relaying a tenant database');
            return async () => {
              await retention?.stop();
              await started.close();
            };
          };
          const relays = await runPerTenantDatabase(routing, logger, {
            doing: 'relay',
            start: startFor,
          });
          cleanup.push(() => relays.close());
        }
        break;
      }
      case 'tenants': {
        // The registry, and every tenant database of its own on the same server.
        const db = await open(options.database);
        await step(
          'migrations',
          () => migrateTenancy(db),
          (r) => (r.applied.length ? `applied ${r.applied.length}` : 'up to date'),
        );
        const registry = createTenantRegistry(db);
        const data = createTenantData({
          db,
          ...('postgresUrl' in options.database
            ? { postgresUrl: options.database.postgresUrl }
            : {}),
          migrate: async (tenantDb) => {
            await migrateTenancy(tenantDb);
            await migratePrimitives(tenantDb, TENANT_DATABASE_OWNERS);
          },
        });
        cleanup.push(() => data.close());
        const tenants = createTenantsPrimitive({
          registry,
          data,
          audience: audienceOf(options.tokens),
          ...(options.keycloak ? { keycloak: options.keycloak } : {}),
          ...(options.temporalAddress ? { temporalAddress: options.temporalAddress } : {}),
          ...(options.kubernetes ? { kubernetes: options.kubernetes } : {}),
          ...(options.deleteRetentionMs !== undefined
            ? { deleteRetentionMs: options.deleteRetentionMs }
            : {}),
        });
        cleanup.push(() => tenants.close());
        url = await serveRpc(options, [tenants.routes], { database: ping(db) }, registry);
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

/**
 * Runs `start` for each tenant database of its own, as tenants come and go (one run per
 * database, stopped by the function it returned); a failure is logged ("cannot <doing> the
 * tenant database", "cannot stop: <doing> …") and the start is tried again at the next change.
 */
async function runPerTenantDatabase(
  routing: TenantRouting,
  logger: Logger,
  options: {
    readonly doing: string;
    readonly start: (name: string, db: Database) => Promise<() => Promise<void>>;
  },
): Promise<{ close(): Promise<void> }> {
  const runners = createKeyedRunners({
    start: options.start,
    stop: (stop: () => Promise<void>) => stop(),
    onError: (err, name, phase) =>
      logger.error(
        { err, database: name },
        phase === 'start'
          ? `cannot ${options.doing} the tenant database`
          : `cannot stop: ${options.doing} the tenant database`,
      ),
  });
  const sync = () =>
    runners.sync([...routing.dedicated().values()].map((d) => [d.name, d.db] as const));
  routing.subscribe(sync);
  await sync();
  return runners;
}

async function migrate(db: Database, owner: SchemaOwner, step: StepReporter): Promise<void> {
  await step(
    'migrations',
    () => migratePrimitives(db, [owner]),
    (applied) => (applied.length ? `applied ${applied.length}` : 'up to date'),
  );
}

/**
 * The verifier of a primitive that knows the tenant registry: the configured issuer, and the
 * realm of any tenant provisioned with one; then every call's tenant admitted by the registry.
 */
function admitted(tokens: TokenVerifierOptions, registry: TenantRegistry): TokenVerifier {
  const directory = createTenantDirectory({
    registry,
    platformIssuers: [tokens.issuer],
    audience: audienceOf(tokens),
  });
  return withAdmission(
    createMultiIssuerVerifier({
      issuers: { [tokens.issuer]: createTokenVerifier(tokens) },
      resolve: (issuer) => directory.resolveIssuer(issuer),
    }),
    (claims) => directory.admit(claims),
  );
}

/** The audience tenant realms' tokens must carry: the first one required of every token. */
function audienceOf(tokens: TokenVerifierOptions): string {
  const aud = tokens.audience;
  return (typeof aud === 'string' ? aud : aud?.[0]) ?? AMEIDE_AUDIENCE;
}
