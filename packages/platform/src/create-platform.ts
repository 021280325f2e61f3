import { Client } from '@temporalio/client';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  DEFAULT_IDEMPOTENCY_RETENTION_MS,
  DEFAULT_INBOX_RETENTION_MS,
  DEFAULT_OUTBOX_RETENTION_MS,
  DEFAULT_RETENTION_INTERVAL_MS,
  createKafkaTransport,
  eventServiceRoutes,
} from '@ameide/events';
import { openObjectStore, type ObjectStore, type ObjectStoreConfig } from '@ameide/object-store';
import { createPgDatabase, type Database } from '@ameide/persistence';
import {
  createArtifactStorePlanSource,
  createDevTokenProvider,
  createProcessClient,
  createStartTriggers,
  createStartSchedules,
  PROCESS_EVENTS_SCHEMA,
  type StartSchedules,
  processServiceRoutes,
} from '@ameide/process-runtime';
import { SALES_SCHEMA, type SalesDomain } from '@ameide/sales';
import {
  createLogger,
  createMultiIssuerVerifier,
  createOidcVerifier,
  createTokenVerifier,
  withAdmission,
  type ClaimMapping,
  startServiceHost,
  type DevIdentity,
  type Logger,
  type ServiceHost,
  type ServiceRegistration,
} from '@ameide/server';
import { TRANSFORMATION_DOMAIN, type ArtifactStore } from '@ameide/transformation';
import {
  createTenantData,
  createTenantDirectory,
  createTenantRegistry,
  migrateTenancy,
  type TenantProvisionerOptions,
} from '@ameide/tenancy';
import { migratePrimitives, type SchemaOwner } from './database/migrate-primitives.js';
import { openDatabase, type DatabaseConfig } from './database/open-database.js';
import { logRelays, type LogRelayTargets } from './primitives/log-relays.js';
import {
  startDedicatedTenantLogs,
  type DedicatedTenantLogs,
} from './primitives/dedicated-tenant-logs.js';
import { startStartEventSync } from './primitives/start-schedules.js';
import { startNamespaceWorkers } from './tenants/namespace-workers.js';
import { createTenantRouting, type DedicatedDatabase } from './tenants/tenant-routing.js';
import { createTenantsPrimitive, type TenantKeycloakConfig } from './primitives/tenants.js';
import { startEventRetention, type RetentionSettings } from './primitives/event-retention.js';
import { startProcessWorkerPrimitive } from './primitives/process-worker.js';
import { createExtensionsPrimitive } from './primitives/extensions.js';
import { createAgentsPrimitive, type AgentsOptions } from './primitives/agents.js';
import { factoryServiceRoutes } from './primitives/factory.js';
import { createProjectionsPrimitive } from './primitives/projections.js';
import { createSalesPrimitive } from './primitives/sales.js';
import {
  connectTemporalClient,
  DEFAULT_TASK_QUEUE,
  type TemporalConfig,
} from './primitives/temporal.js';
import { createTransformationPrimitive } from './primitives/transformation.js';
import { formatDuration } from './format-duration.js';
import { createKeyedRunners } from './keyed-runners.js';
import { silentSteps, type StepReporter } from './step.js';

/** What one platform process serves: Transformation always, the others on request. */
export type PlatformService = 'process' | 'sales' | 'events';

/** A Domain primitive the platform serves besides its own: its migration and its routes. */
export interface HostedDomain {
  readonly name: string;
  migrate(db: Database): Promise<unknown>;
  routes(db: Database): ServiceRegistration;
}

/** Options of {@link createPlatform}. */
export interface PlatformOptions {
  readonly database: DatabaseConfig;
  /**
   * The signing key of this platform: the host trusts tokens it signed, and the
   * process worker signs the tokens its service tasks call domains with.
   */
  readonly identity: DevIdentity;
  /** Besides TransformationService (default: all). `events` needs `sales`. */
  readonly services?: readonly PlatformService[];
  /**
   * Further Domain primitives to serve on the same host (e.g. scaffolded ones that `ameide dev`
   * found in the repository): each is migrated after the built-in schemas, then its routes are
   * registered.
   */
  readonly domains?: readonly HostedDomain[];
  /**
   * Required with `process`: ProcessService and a worker polling `taskQueue`. A promise lets
   * the platform open and migrate its database while Temporal is still starting.
   */
  readonly temporal?: TemporalConfig | Promise<TemporalConfig>;
  readonly host?: {
    /** Default 8080; 0 picks a free port. */
    readonly port?: number;
    /** Default 127.0.0.1. */
    readonly hostname?: string;
    readonly drainTimeoutMs?: number;
    /** Serves what is not an RPC or a probe (the console, the dev sign-in endpoint). */
    readonly httpFallback?: (req: IncomingMessage, res: ServerResponse) => void;
  };
  /** Default: JSON lines on stdout. */
  readonly logger?: Logger;
  /** Also relay the sales outbox and the transformation's artifact events to this NATS JetStream server. */
  readonly natsUrl?: string;
  /**
   * Also relay the domains' logs to Kafka (topics `<topicPrefix>.<domain>`, default prefix
   * `analytics`, kept for ever) for analytics and replay: projections can then be rebuilt from it.
   */
  readonly kafka?: { readonly brokers: string | readonly string[]; readonly topicPrefix?: string };
  /** Scheduled event retention (with `sales`); `false` runs none. */
  readonly retention?: RetentionSettings | false;
  readonly sales?: { readonly idempotencyRetentionMs?: number };
  readonly transformation?: { readonly watchPollMs?: number };
  readonly events?: { readonly pollMs?: number };
  readonly worker?: {
    readonly shutdownGraceTimeMs?: number;
    /** Keep the workflow bundle here between starts instead of bundling each time. */
    readonly workflowBundleCacheDir?: string;
  };
  /**
   * Where tenant objects (WASM extension modules, ...) are kept: default `{ database: true }`,
   * the platform database (no S3 needed); `{ s3Url }` or `{ s3 }` for an S3 server. Only this
   * composition root sees the S3 credentials: services get the {@link ObjectStore}.
   */
  readonly objects?: ObjectStoreConfig;
  /** Agents: model endpoints, the embedded model, or a model for every agent (tests). */
  readonly agents?: AgentsOptions;
  /**
   * Tenants for real (TenantService is always served, to platform administrators): `keycloak`
   * gives each tenant a realm (enterprise) or an organisation of the shared realm (smb) and
   * makes the host trust their tokens; `oidcIssuers` are further issuers the host trusts
   * (their tokens may act for any tenant, or for `tenant` only). Without either, the host
   * trusts only this platform's own signing key (embedded mode).
   */
  readonly tenancy?: {
    readonly keycloak?: TenantKeycloakConfig;
    readonly oidcIssuers?: readonly {
      readonly issuer: string;
      readonly tenant?: string;
      readonly claims?: ClaimMapping;
    }[];
    /** How long a suspended tenant is kept before it may be deleted (default 30 days). */
    readonly deleteRetentionMs?: number;
    /** See `TenantProvisionerOptions.jwksCooldownMs` of the directory (default 5 s). */
    readonly jwksCooldownMs?: number;
    /**
     * Each tenant's `AmeideTenant` resource on a cluster (`createKubernetesTenants`): applied
     * as the last provisioning step, deleted with the tenant; the operator makes its namespaces.
     */
    readonly kubernetes?: TenantProvisionerOptions['kubernetes'];
    /** Tests stop provisioning runs here. */
    readonly afterStep?: TenantProvisionerOptions['afterStep'];
  };
  /** Runs after the migrations, before anything is served (`ameide dev` seeds the demo tenant). */
  readonly seed?: (parts: PlatformParts) => Promise<void>;
  /** Reports each start-up step (default: silent). */
  readonly step?: StepReporter;
}

/** The platform's domains, for seeding and tests. */
export interface PlatformParts {
  readonly db: Database;
  readonly store: ArtifactStore;
  /** With the `sales` service. */
  readonly sales: SalesDomain | undefined;
  /**
   * Content-addressed tenant objects (see `PlatformOptions.objects`), for the services
   * that store artifacts; it holds the storage credentials, so nothing else needs them.
   */
  readonly objectStore: ObjectStore;
}

/** A running platform. */
export interface Platform extends PlatformParts {
  readonly url: string;
  readonly host: ServiceHost;
  /** The task queue of its process worker, with the `process` service. */
  readonly taskQueue: string | undefined;
  /**
   * The OIDC issuer (Keycloak realm) an active tenant signs in at, or undefined (unknown,
   * not active, or a tenant without a realm): for the console's sign-in.
   */
  tenantIssuer(tenantId: string): Promise<string | undefined>;
  /** Stops everything it started, in reverse order. Idempotent. */
  close(): Promise<void>;
}

const ALL_SERVICES: readonly PlatformService[] = ['process', 'sales', 'events'];

/**
 * The composition root: assembles the platform in one process, behind one service host:
 * TransformationService, ExtensionService (tenant WASM extensions on the object store, also
 * behind the sales order-line pricing extension point), the projections (ProjectionService, the read-only
 * GraphService and, with sales, OrderToCashService), and on request ProcessService with its worker (calling the domains
 * back through this host), the sales domain, EventService, the outbox relays (sales, transformation) to NATS
 * and event retention. `ameide dev` runs it on the embedded defaults; `ameide serve`
 * runs each primitive alone from the same parts.
 */
export async function createPlatform(options: PlatformOptions): Promise<Platform> {
  const services = new Set(options.services ?? ALL_SERVICES);
  if (services.has('events') && !services.has('sales'))
    throw new Error('createPlatform: the events service reads the sales outbox; add sales');
  if (services.has('process') && !options.temporal)
    throw new Error('createPlatform: the process service needs temporal.address');
  const step = options.step ?? silentSteps;
  const logger =
    options.logger ?? createLogger({ primitive: { type: 'platform', name: 'platform' } });
  const cleanup: (() => Promise<void>)[] = [];
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
    })();
    return closing;
  };
  try {
    const opened = await step(
      'database',
      () => openDatabase(options.database),
      (d) => d.description,
    );
    const { db } = opened;
    if (opened.owned) cleanup.push(() => db.close());
    const owners: SchemaOwner[] = services.has('sales')
      ? ['transformation', 'agents', 'process', 'sales']
      : services.has('process')
        ? ['transformation', 'agents', 'process']
        : ['transformation', 'agents'];
    await step(
      'migrations',
      async () => [...(await migrateTenancy(db)).applied, ...(await migratePrimitives(db, owners))],
      (applied) => (applied.length ? `applied ${applied.length}` : 'up to date'),
    );
    for (const domain of options.domains ?? []) {
      await step(
        `domain ${domain.name}`,
        () => domain.migrate(db),
        () => 'migrated',
      );
    }
    // Tenants with a database of their own: `withTenant` of the domains runs there.
    const registry = createTenantRegistry(db);
    const tenantData = createTenantData({
      db,
      ...('postgresUrl' in options.database ? { postgresUrl: options.database.postgresUrl } : {}),
      migrate: async (tenantDb) => {
        await migrateTenancy(tenantDb);
        await migratePrimitives(tenantDb, owners);
      },
    });
    cleanup.push(() => tenantData.close());
    // Tenants with a database of their own (`withTenant` of the domains runs there) and with a
    // Temporal namespace of their own (enterprise: their instances live there, run by a worker
    // of that namespace, see `namespaceWorkers`); their logs are relayed and projected from
    // their database (`syncLogs`).
    const routing = await createTenantRouting({ registry, data: tenantData, db });
    cleanup.push(() => Promise.resolve(routing.close()));
    const tenantDb = routing.db;
    const objectStore = await step(
      'object store',
      () => openObjectStore(options.objects ?? { database: true }, { db }),
      (s) => s.description,
    );
    cleanup.push(() => objectStore.close());
    const transformation = createTransformationPrimitive(tenantDb, {
      ...options.transformation,
      objects: objectStore,
    });
    // Extensions call the platform back through this host, as their caller.
    const listening: { url?: string } = {};
    const extensions = createExtensionsPrimitive({
      store: transformation.store,
      objects: objectStore,
      tokens: createDevTokenProvider(options.identity),
      serviceUrl: () => {
        if (!listening.url) throw new Error('extension host call before the service host listens');
        return listening.url;
      },
    });
    cleanup.push(() => extensions.close());
    const sales = services.has('sales')
      ? createSalesPrimitive(tenantDb, { ...options.sales, pricing: extensions.pricing })
      : undefined;
    const parts: PlatformParts = {
      db,
      store: transformation.store,
      sales: sales?.domain,
      objectStore,
    };
    await options.seed?.(parts);

    const routes: ServiceRegistration[] = [transformation.routes, extensions.routes];
    // Agents call the platform back through this host, as their caller.
    const agents = createAgentsPrimitive({
      db: tenantDb,
      store: transformation.store,
      tokens: createDevTokenProvider(options.identity),
      serviceUrl: () => {
        if (!listening.url) throw new Error('agent tool call before the service host listens');
        return listening.url;
      },
      processes: services.has('process'),
      eraseTenant: (tenantId) => tenantData.eraseShared(tenantId),
      logger,
      ...options.agents,
    });
    routes.push(agents.routes);
    // FactoryService: template input in, a scaffold as a patch out (nothing is written).
    routes.push(factoryServiceRoutes());
    const plans = createArtifactStorePlanSource(transformation.store);
    const temporalConfig = services.has('process') ? await options.temporal : undefined;
    const taskQueue = temporalConfig ? (temporalConfig.taskQueue ?? DEFAULT_TASK_QUEUE) : undefined;
    // Timer start events as Temporal Schedules, kept in step with publishing (with `process`).
    let startSchedules: StartSchedules | undefined;
    if (temporalConfig && taskQueue) {
      const temporal = await step(
        'temporal client',
        () => connectTemporalClient(temporalConfig),
        () => temporalConfig.address,
      );
      cleanup.push(() => temporal.connection.close());
      const shared = temporalConfig.namespace ?? 'default';
      const clientOf = (namespace: string) =>
        namespace === shared
          ? temporal
          : new Client({ connection: temporal.connection, namespace });
      const namespaceFor = (tenantId: string) => routing.namespaceOf(tenantId) ?? shared;
      routes.push(
        processServiceRoutes(
          createProcessClient({
            temporal: clientOf,
            namespaceFor,
            taskQueue,
            plans,
            startTriggers: createStartTriggers(tenantDb),
          }),
        ),
      );
      startSchedules = createStartSchedules({ temporal: clientOf, namespaceFor, taskQueue });
    }
    if (sales) routes.push(sales.routes);
    for (const domain of options.domains ?? []) routes.push(domain.routes(db));
    const kafkaOptions = options.kafka;
    const kafka = kafkaOptions
      ? await step(
          'kafka',
          () =>
            createKafkaTransport({
              brokers: kafkaOptions.brokers,
              clientId: 'ameide-platform',
              logger,
              ...(kafkaOptions.topicPrefix ? { topicPrefix: kafkaOptions.topicPrefix } : {}),
            }).catch((err: unknown) => {
              throw new Error(
                `cannot connect to Kafka at ${String(kafkaOptions.brokers)}: ${(err as Error).message}`,
                { cause: err },
              );
            }),
          () => String(kafkaOptions.brokers),
        )
      : undefined;
    if (kafka) cleanup.push(() => kafka.close());
    // Read models (the Graph; order-to-cash with sales), ready before anything asks for them.
    const projections = createProjectionsPrimitive({
      db,
      // A tenant with a database of its own reads the read models built there.
      readDb: tenantDb,
      sales: sales !== undefined,
      ...(kafka ? { rebuildTransports: { kafka } } : {}),
    });
    routes.push(...projections.routes);
    cleanup.push(() => projections.close());
    await step(
      'projections',
      () => projections.start(),
      () => projections.runners.map((r) => r.definition.name).join(', '),
    );
    if (services.has('events'))
      routes.push(
        eventServiceRoutes({
          // A tenant with a database of its own tails that database's logs.
          db: tenantDb,
          // The Transformation Domain's artifact events are in the same kind of log.
          domains: ['sales', TRANSFORMATION_DOMAIN],
          ...(options.events?.pollMs !== undefined ? { pollMs: options.events.pollMs } : {}),
        }),
      );

    const { identity } = options;
    const tenancy = options.tenancy ?? {};
    const staticIssuers = tenancy.oidcIssuers ?? [];
    const directory = createTenantDirectory({
      registry,
      platformIssuers: [identity.issuer, ...staticIssuers.map((i) => i.issuer)],
      audience: identity.audience,
      ...(tenancy.jwksCooldownMs !== undefined ? { jwksCooldownMs: tenancy.jwksCooldownMs } : {}),
    });
    const tenants = createTenantsPrimitive({
      registry,
      data: tenantData,
      audience: identity.audience,
      ...(tenancy.keycloak ? { keycloak: tenancy.keycloak } : {}),
      ...(temporalConfig ? { temporalAddress: temporalConfig.address } : {}),
      ...(tenancy.deleteRetentionMs !== undefined
        ? { deleteRetentionMs: tenancy.deleteRetentionMs }
        : {}),
      onChange: async (tenantId) => {
        directory.forget(tenantId);
        await routing.refresh(tenantId);
      },
      ...(tenancy.afterStep ? { afterStep: tenancy.afterStep } : {}),
      ...(tenancy.kubernetes ? { kubernetes: tenancy.kubernetes } : {}),
    });
    cleanup.push(() => tenants.close());
    routes.push(tenants.routes);
    const verifier = withAdmission(
      createMultiIssuerVerifier({
        issuers: {
          [identity.issuer]: createTokenVerifier({
            issuer: identity.issuer,
            audience: identity.audience,
            jwks: identity.jwks,
          }),
          ...Object.fromEntries(
            staticIssuers.map((i) => [
              i.issuer,
              createOidcVerifier({
                issuer: i.issuer,
                audience: identity.audience,
                ...(i.tenant !== undefined ? { tenant: i.tenant } : {}),
                ...(i.claims ? { claims: i.claims } : {}),
              }),
            ]),
          ),
        },
        resolve: (issuer) => directory.resolveIssuer(issuer),
      }),
      (claims) => directory.admit(claims),
    );
    const host = await step(
      'service host',
      () =>
        startServiceHost({
          port: options.host?.port ?? 8080,
          hostname: options.host?.hostname ?? '127.0.0.1',
          logger,
          verifier,
          services: routes,
          readiness: { database: async () => void (await db.query('SELECT 1')) },
          ...(options.host?.drainTimeoutMs !== undefined
            ? { drainTimeoutMs: options.host.drainTimeoutMs }
            : {}),
          ...(options.host?.httpFallback ? { httpFallback: options.host.httpFallback } : {}),
        }),
      (h) => h.services.map((s) => s.split('.').at(-1)).join(', '),
    );
    cleanup.push(() => host.close());
    listening.url = host.url;

    if (temporalConfig && taskQueue) {
      const workerOf = (namespace: string | undefined) =>
        startProcessWorkerPrimitive({
          temporal: { ...temporalConfig, taskQueue, ...(namespace ? { namespace } : {}) },
          plans,
          tokens: createDevTokenProvider(identity),
          serviceUrl: host.url,
          events: { db: tenantDb },
          agents: agents.invoker,
          ...(options.worker?.shutdownGraceTimeMs !== undefined
            ? { shutdownGraceTimeMs: options.worker.shutdownGraceTimeMs }
            : {}),
          ...(options.worker?.workflowBundleCacheDir !== undefined
            ? { workflowBundleCacheDir: options.worker.workflowBundleCacheDir }
            : {}),
        });
      const worker = await step(
        'process worker',
        () => workerOf(undefined),
        (w) => `task queue ${w.taskQueue}`,
      );
      cleanup.push(() => worker.close());
      // One worker per tenant namespace in use, started and stopped as tenants come and go.
      const namespaceWorkers = startNamespaceWorkers({ start: workerOf, logger });
      cleanup.push(() => namespaceWorkers.close());
      routing.subscribe(() => namespaceWorkers.sync(routing.namespaces()));
      namespaceWorkers.sync(routing.namespaces());
    }
    if (startSchedules) {
      const sync = startStartEventSync({ db, schedules: startSchedules, logger });
      cleanup.push(() => sync.stop());
    }

    // Event retention of the sales log (with sales), on the shared database and on each tenant
    // database of its own. Never the transformation log: it is the artifacts' history.
    const retention =
      sales && options.retention !== false
        ? {
            settings: {
              outboxRetentionMs: DEFAULT_OUTBOX_RETENTION_MS,
              inboxRetentionMs: DEFAULT_INBOX_RETENTION_MS,
              idempotencyRetentionMs:
                options.sales?.idempotencyRetentionMs ?? DEFAULT_IDEMPOTENCY_RETENTION_MS,
              intervalMs: DEFAULT_RETENTION_INTERVAL_MS,
              ...options.retention,
            },
            options: {
              schemas: [SALES_SCHEMA],
              // Nothing is pruned before every relay of the log has passed it.
              ...(options.natsUrl || kafka
                ? {
                    relays: [
                      ...(options.natsUrl ? ['sales'] : []),
                      ...(kafka ? ['sales-kafka'] : []),
                    ],
                  }
                : {}),
            },
          }
        : undefined;
    // A relay's lease is a session advisory lock: each needs a connection of its own (PGlite has one).
    const relayConnection = () =>
      'postgresUrl' in options.database
        ? createPgDatabase({ url: options.database.postgresUrl, pool: { max: 1 } })
        : db;
    const natsUrl = options.natsUrl;
    const relayTargets: LogRelayTargets = {
      // Cross-domain events: the sales outbox and the artifact events.
      ...(natsUrl
        ? { nats: { url: natsUrl, domains: [...(sales ? ['sales'] : []), TRANSFORMATION_DOMAIN] } }
        : {}),
      // Analytics and replay: every log this platform writes, under relay names of their own.
      ...(kafka
        ? {
            kafka: {
              transport: kafka,
              logs: [
                ...(sales ? ['sales'] : []),
                TRANSFORMATION_DOMAIN,
                ...(owners.includes('process') ? [PROCESS_EVENTS_SCHEMA] : []),
              ],
            },
          }
        : {}),
    };
    for (const relay of logRelays({
      ...relayTargets,
      connection: relayConnection,
      shared: db,
      clientTag: 'ameide-dev-relay',
      logger,
    })) {
      const running = await step(
        relay.target === 'nats' ? 'event relay' : 'kafka relay',
        () => relay.start(),
        () => relay.description,
      );
      cleanup.push(() => running.close());
    }
    // A tenant with a database of its own has its own logs: relayed and projected from there.
    const dedicatedLogs = createKeyedRunners({
      start: (tenantId: string, own: DedicatedDatabase) =>
        startDedicatedTenantLogs({
          tenantId,
          db: own.db,
          connection: () => tenantData.connect(own.name),
          sales: sales !== undefined,
          ...relayTargets,
          ...(retention ? { retention: { ...retention.options, ...retention.settings } } : {}),
          ...(startSchedules ? { startSchedules } : {}),
          logger,
        }),
      stop: (logs: DedicatedTenantLogs) => logs.close(),
      onError: (err, tenantId, phase) =>
        logger.error(
          { err, tenantId },
          phase === 'start'
            ? "cannot relay and project the tenant database's logs"
            : "cannot stop relaying and projecting the tenant database's logs",
        ),
    });
    // Stopped before the database is dropped (the tenant is `deleting` first).
    const syncLogs = () => dedicatedLogs.sync(routing.dedicated());
    routing.subscribe(syncLogs);
    await syncLogs();
    cleanup.push(() => dedicatedLogs.close());
    if (retention) {
      const r = retention.settings;
      const running = await step(
        'event retention',
        () => Promise.resolve(startEventRetention({ db, ...retention.options, ...r, logger })),
        () =>
          `outbox after ${formatDuration(r.outboxRetentionMs)}, inbox after ${formatDuration(r.inboxRetentionMs)}, idempotency keys after ${formatDuration(r.idempotencyRetentionMs)}, every ${formatDuration(r.intervalMs)}`,
      );
      cleanup.push(() => running.stop());
    }
    const tenantIssuer = async (tenantId: string) => {
      const t = await registry.get(tenantId);
      return t && t.status === 'active' && t.issuer !== '' ? t.issuer : undefined;
    };
    return { ...parts, url: host.url, host, taskQueue, tenantIssuer, close };
  } catch (err) {
    await close();
    throw err;
  }
}
