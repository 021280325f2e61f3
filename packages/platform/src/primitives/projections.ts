import { createPostgresTransport, type EventTransport, type EventsLogger } from '@ameide/events';
import type { Database } from '@ameide/persistence';
import { InstanceEventType, PROCESS_EVENTS_SCHEMA } from '@ameide/process-runtime';
import {
  createProjectionRunner,
  graphProjection,
  graphServiceRoutes,
  orderToCashProjection,
  orderToCashServiceRoutes,
  projectionServiceRoutes,
  type GraphCatalog,
  type ProjectionRunner,
} from '@ameide/projections';
import {
  CustomerService,
  EventService,
  ExtensionService,
  GraphService,
  OrderService,
  OrderToCashService,
  PlatformService,
  ProcessService,
  ProjectionService,
  TransformationService,
} from '@ameide/proto';
import { SALES_EVENT_TYPES } from '@ameide/sales';
import type { ServiceRegistration } from '@ameide/server';
import { ArtifactEventType } from '@ameide/transformation';

export interface ProjectionsPrimitiveOptions {
  readonly db: Database;
  /**
   * Where the read services read (default `db`): a tenant-routed database, so that a tenant
   * with a database of its own reads the read models its database's consumers built.
   */
  readonly readDb?: Database;
  /** With the sales domain: the order-to-cash read model (sales + process events). */
  readonly sales: boolean;
  /** Other transports a rebuild may read from (`kafka`). */
  readonly rebuildTransports?: { readonly kafka?: EventTransport };
  /** How often idle consumers look for new events (default 50 ms). */
  readonly pollMs?: number;
  readonly logger?: EventsLogger;
}

export interface ProjectionsPrimitive {
  readonly runners: readonly ProjectionRunner[];
  readonly routes: readonly ServiceRegistration[];
  start(): Promise<void>;
  close(): Promise<void>;
}

/** The platform's fixed facts for the Graph: which domain serves which services and emits what. */
export function platformCatalog(sales: boolean): GraphCatalog {
  return {
    domains: [
      {
        name: 'transformation',
        services: [TransformationService.typeName],
        emits: Object.values(ArtifactEventType),
      },
      {
        name: 'process',
        services: [ProcessService.typeName],
        emits: Object.values(InstanceEventType),
      },
      ...(sales
        ? [
            {
              name: 'sales',
              services: [OrderService.typeName, CustomerService.typeName],
              emits: [...SALES_EVENT_TYPES],
            },
          ]
        : []),
      { name: 'extensions', services: [ExtensionService.typeName], emits: [] },
      { name: 'events', services: [EventService.typeName], emits: [] },
      {
        name: 'projections',
        services: [ProjectionService.typeName, OrderToCashService.typeName, GraphService.typeName],
        emits: [],
      },
      { name: 'platform', services: [PlatformService.typeName], emits: [] },
    ],
    projections: sales ? [orderToCashProjection, graphProjection] : [graphProjection],
  };
}

/**
 * The Projection primitive: the Graph (artifact events of the Transformation
 * Domain) and, with sales, the order-to-cash read model, each run on the
 * domains' Postgres logs; ProjectionService, OrderToCashService and
 * GraphService (read-only) over them.
 */
export function createProjectionsPrimitive(
  options: ProjectionsPrimitiveOptions,
): ProjectionsPrimitive {
  const { db } = options;
  const readDb = options.readDb ?? db;
  const transport = createPostgresTransport({ db, pollMs: options.pollMs ?? 50 });
  const logSchemaOf = (domain: string) => (domain === 'process' ? PROCESS_EVENTS_SCHEMA : domain);
  const runner = (definition: typeof graphProjection) =>
    createProjectionRunner({
      db,
      definition,
      transport,
      logSchemaOf,
      ...(options.rebuildTransports?.kafka
        ? { rebuildTransports: { kafka: options.rebuildTransports.kafka } }
        : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
  const runners = options.sales
    ? [runner(orderToCashProjection), runner(graphProjection)]
    : [runner(graphProjection)];
  const routes: ServiceRegistration[] = [
    projectionServiceRoutes(runners),
    graphServiceRoutes({ db: readDb, catalog: platformCatalog(options.sales) }),
  ];
  if (options.sales) routes.push(orderToCashServiceRoutes({ db: readDb }));
  return {
    runners,
    routes,
    async start() {
      for (const r of runners) await r.start();
    },
    async close() {
      await Promise.all(runners.map((r) => r.stop()));
    },
  };
}
