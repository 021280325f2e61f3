import { metrics } from '@opentelemetry/api';
import { AmeideError } from '@ameide/errors';
import {
  asRelayRole,
  countReadable,
  createConsumer,
  formatPosition,
  hasRetentionTables,
  LOG_START,
  silentLogger,
  type Consumer,
  type EventsLogger,
  type EventTransport,
} from '@ameide/events';
import { quoteIdentifier, type Database } from '@ameide/persistence';
import {
  definitionHash,
  sourceTypes,
  validateProjectionDefinition,
  type ProjectionDefinition,
} from '../definition/projection-definition.js';
import {
  createShadowTables,
  prepareProjectionSchema,
  projectionSchema,
  PROJECTOR_ROLE,
  swapWhenFree,
  type TableCopy,
} from '../schema/projection-schema.js';
import { tableAccess } from './table-access.js';

/** Where a rebuild reads the events from. */
export type RebuildSource = 'postgres' | 'kafka';

/** Options of {@link createProjectionRunner}. */
export interface ProjectionRunnerOptions {
  /** Owner connection (may SET ROLE to the projector and relay roles). */
  readonly db: Database;
  readonly definition: ProjectionDefinition;
  /** The transport the serving tables follow (the platform: Postgres, the domains' log). */
  readonly transport: EventTransport;
  /** Other transports a rebuild may read from, e.g. `{ kafka }` (analytics topics). */
  readonly rebuildTransports?: Partial<Record<RebuildSource, EventTransport>>;
  /** Schema of a domain's event log, for lag (default: the domain name). */
  readonly logSchemaOf?: (domain: string) => string;
  /** How often lag is measured for the metric (default 5 s; 0: never, only on `status()`). */
  readonly lagIntervalMs?: number;
  readonly batchSize?: number;
  readonly waitMs?: number;
  /** A rebuild whose source delivers nothing for this long while short of the log fails (default 60 s). */
  readonly rebuildStallMs?: number;
  readonly logger?: EventsLogger;
}

/** How far a projection is behind one domain's log. */
export interface SourceLag {
  readonly domain: string;
  readonly eventTypes: readonly string[];
  readonly eventsBehind: number;
  readonly secondsBehind: number;
  /** `<transaction id>:<seq>`; empty before the first event. */
  readonly position: string;
}

export interface RebuildInfo {
  readonly state: 'running' | 'swapped' | 'failed';
  readonly source: RebuildSource;
  readonly eventsApplied: number;
  readonly startedAt: Date;
  readonly finishedAt: Date | undefined;
  readonly error: string | undefined;
}

export interface ProjectionStatusInfo {
  readonly name: string;
  readonly description: string;
  readonly state: 'running' | 'rebuilding' | 'stopped';
  readonly definitionHash: string;
  readonly generation: number;
  readonly sources: readonly SourceLag[];
  readonly eventsApplied: number;
  readonly eventsBehind: number;
  readonly secondsBehind: number;
  readonly tables: readonly string[];
  readonly lastRebuild: RebuildInfo | undefined;
  readonly deadLetters: number;
}

/** A running projection: its consumers, its status, its rebuild. */
export interface ProjectionRunner {
  readonly definition: ProjectionDefinition;
  /** Prepares the schema and starts following the log; rebuilds when the definition changed. */
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): Promise<ProjectionStatusInfo>;
  /**
   * Starts a rebuild into shadow tables (the serving ones keep serving) and
   * resolves once it runs; `rebuilt()` resolves when it has swapped or failed.
   *
   * @throws AmeideError `failed_precondition` when one runs already or the source is not configured.
   */
  rebuild(options?: { readonly source?: RebuildSource }): Promise<void>;
  rebuilt(): Promise<RebuildInfo | undefined>;
  /** Processes batches until every source is caught up with its log (tests, tools). */
  catchUp(timeoutMs?: number): Promise<void>;
}

interface Generation {
  readonly number: number;
  copy: TableCopy;
  consumers: Consumer[];
  applied: number;
}

const meter = metrics.getMeter('@ameide/projections');
const lagEvents = meter.createObservableGauge('ameide.projection.lag.events', {
  description: 'Committed events of a domain log after the projection position',
});
const lagSeconds = meter.createObservableGauge('ameide.projection.lag.seconds', {
  description: 'Age of the oldest event the projection has not applied yet',
  unit: 's',
});

/**
 * Runs a {@link ProjectionDefinition} on the events kit's consumers: one
 * consumer per source domain (inbox in the same transaction as the changes,
 * per-aggregate order, retries, dead letters), writing as the projector role.
 * A rebuild runs a second generation of consumers from the start of the log
 * into shadow tables while the serving generation goes on, then stops the
 * serving one, lets the new one catch up and swaps the tables in one
 * transaction; readers see the old tables until it commits.
 */
export function createProjectionRunner(options: ProjectionRunnerOptions): ProjectionRunner {
  const { db, definition } = options;
  validateProjectionDefinition(definition);
  const hash = definitionHash(definition);
  const schema = projectionSchema(definition.name);
  const logger = options.logger ?? silentLogger;
  const logSchemaOf = options.logSchemaOf ?? ((d: string) => d);
  const relay = asRelayRole();
  let serving: Generation | undefined;
  let rebuilding: { generation: Generation; done: Promise<RebuildInfo> } | undefined;
  let lastRebuild: RebuildInfo | undefined;
  let lastDone: Promise<RebuildInfo> | undefined;
  let servedHash = hash;
  let started = false;
  let lagTimer: NodeJS.Timeout | undefined;
  let lastLag: readonly SourceLag[] = [];

  const consumerName = (generation: number) => `${definition.name}_g${generation}`;

  const generation = (
    number: number,
    copy: TableCopy,
    transport: EventTransport,
    waitMs: number,
  ): Generation => {
    const gen: Generation = { number, copy, consumers: [], applied: 0 };
    const access = tableAccess(definition, () => gen.copy);
    gen.consumers = definition.sources.map((source) =>
      createConsumer({
        name: consumerName(number),
        domain: source.domain,
        transport,
        db,
        schema,
        appRole: PROJECTOR_ROLE,
        types: sourceTypes(source),
        waitMs,
        ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
        logger,
        async handle(event, tx) {
          const handler = source.handlers[event.type];
          if (!handler) return;
          const changes = await handler(event, access.state(tx, event.tenantId));
          await access.apply(tx, event.tenantId, changes);
          gen.applied++;
        },
      }),
    );
    return gen;
  };

  /** Deliveries a consumer has taken so far (each event of its domain once or more). */
  const delivered = (c: Consumer) => {
    const { retry: _retry, replayed: _replayed, ...outcomes } = c.stats();
    return Object.values(outcomes).reduce((n, v) => n + v, 0);
  };

  /**
   * Runs the generation's consumers until each has taken at least `targets[i]` deliveries (the
   * events its domain's log held when the rebuild began) and a pass brings nothing new. A source
   * that stops delivering below its target for `stallMs` (a Kafka topic the relay has not filled)
   * fails the rebuild instead of swapping in a partial model.
   */
  const drain = async (gen: Generation, targets: readonly number[], stallMs: number) => {
    let lastProgress = Date.now();
    for (;;) {
      let handled = 0;
      for (const c of gen.consumers) handled += (await c.runOnce()).length;
      if (handled > 0) lastProgress = Date.now();
      const short = gen.consumers
        .map((c, i) => ({
          domain: definition.sources[i]!.domain,
          got: delivered(c),
          want: targets[i] ?? 0,
        }))
        .filter((x) => x.got < x.want);
      if (handled === 0 && short.length === 0) return;
      if (Date.now() - lastProgress > stallMs)
        throw new Error(
          `projection ${definition.name}: the rebuild source stopped delivering: ${short
            .map((x) => `${x.domain} gave ${x.got} of the ${x.want} events in its log`)
            .join('; ')}`,
        );
    }
  };

  /** Events each source's log holds now, and whether retention has pruned any of them. */
  const logHeads = () =>
    db.transaction(
      (tx) =>
        Promise.all(
          definition.sources.map(async (source) => {
            const schemaName = logSchemaOf(source.domain);
            const { events } = await countReadable(tx, schemaName, LOG_START);
            const pruned =
              (await hasRetentionTables(tx, schemaName)) &&
              (
                await tx.query(
                  `SELECT 1 FROM ${quoteIdentifier(schemaName, 'schema')}.outbox_pruned LIMIT 1`,
                )
              ).rows.length > 0;
            return { domain: source.domain, events, pruned };
          }),
        ),
      relay,
    );

  const measureLag = async (gen: Generation | undefined): Promise<SourceLag[]> =>
    Promise.all(
      definition.sources.map(async (source) => {
        const log = quoteIdentifier(logSchemaOf(source.domain), 'schema');
        return db.transaction(async (tx) => {
          const { rows: at } = await tx.query<{ tx: string; seq: string }>(
            `SELECT transaction_id::text AS tx, seq::text AS seq FROM ${log}.consumer_progress WHERE consumer = $1`,
            [consumerName(gen?.number ?? 1)],
          );
          const position = at[0]
            ? { transactionId: BigInt(at[0].tx), seq: BigInt(at[0].seq) }
            : LOG_START;
          const backlog = await countReadable(tx, logSchemaOf(source.domain), position);
          const behind = backlog.events;
          const oldest = backlog.oldest?.getTime();
          return {
            domain: source.domain,
            eventTypes: sourceTypes(source),
            eventsBehind: behind,
            secondsBehind: oldest !== undefined ? Math.max(0, (Date.now() - oldest) / 1000) : 0,
            position: at[0] ? formatPosition(position) : '',
          };
        }, relay);
      }),
    );

  const observe = (
    result: { observe(v: number, a: Record<string, string>): void },
    pick: (l: SourceLag) => number,
  ) => {
    for (const l of lastLag)
      result.observe(pick(l), { projection: definition.name, domain: l.domain });
  };
  const observeEvents = (r: Parameters<Parameters<typeof lagEvents.addCallback>[0]>[0]) =>
    observe(r, (l) => l.eventsBehind);
  const observeSeconds = (r: Parameters<Parameters<typeof lagSeconds.addCallback>[0]>[0]) =>
    observe(r, (l) => l.secondsBehind);

  const runRebuild = async (
    gen: Generation,
    source: RebuildSource,
    startedAt: Date,
    targets: readonly number[],
  ): Promise<RebuildInfo> => {
    try {
      // Catch up from the start of the log while the serving generation goes on.
      await drain(gen, targets, options.rebuildStallMs ?? 60_000);
      // Stop the serving generation, let the new one take what came meanwhile, swap.
      const old = serving;
      if (old) await Promise.all(old.consumers.map((c) => c.stop()));
      try {
        await drain(gen, targets, options.rebuildStallMs ?? 60_000);
        await swapWhenFree(db, definition, gen.number, hash);
      } catch (err) {
        if (old) for (const c of old.consumers) void c.start();
        throw err;
      }
      gen.copy = 'serving';
      servedHash = hash;
      let next = gen;
      if (source !== 'postgres') {
        // The serving tables follow the Postgres log; the inbox drops what the rebuild applied already.
        next = generation(gen.number, 'serving', options.transport, options.waitMs ?? 1000);
        next.applied = gen.applied;
      }
      serving = next;
      if (started) for (const c of next.consumers) void c.start();
      logger.info(
        { projection: definition.name, generation: gen.number, applied: gen.applied },
        'projection rebuilt and swapped',
      );
      return {
        state: 'swapped',
        source,
        eventsApplied: gen.applied,
        startedAt,
        finishedAt: new Date(),
        error: undefined,
      };
    } catch (err) {
      const message = (err as Error).message;
      logger.error({ projection: definition.name, err: message }, 'projection rebuild failed');
      return {
        state: 'failed',
        source,
        eventsApplied: gen.applied,
        startedAt,
        finishedAt: new Date(),
        error: message,
      };
    }
  };

  const runner: ProjectionRunner = {
    definition,

    async start() {
      if (started) return;
      const meta = await prepareProjectionSchema(db, definition, hash);
      servedHash = meta.definitionHash;
      serving = generation(meta.generation, 'serving', options.transport, options.waitMs ?? 1000);
      started = true;
      for (const c of serving.consumers) void c.start();
      const interval = options.lagIntervalMs ?? 5_000;
      if (interval > 0) {
        lagEvents.addCallback(observeEvents);
        lagSeconds.addCallback(observeSeconds);
        lagTimer = setInterval(() => {
          measureLag(serving).then(
            (l) => (lastLag = l),
            () => undefined,
          );
        }, interval);
        lagTimer.unref();
      }
      if (meta.definitionHash !== hash) {
        logger.info({ projection: definition.name }, 'projection definition changed: rebuilding');
        await runner.rebuild();
      }
    },

    async stop() {
      if (!started) return;
      started = false;
      if (lagTimer) clearInterval(lagTimer);
      lagEvents.removeCallback(observeEvents);
      lagSeconds.removeCallback(observeSeconds);
      await rebuilding?.done;
      if (serving) await Promise.all(serving.consumers.map((c) => c.stop()));
    },

    async rebuild(rebuildOptions = {}) {
      if (!started || !serving)
        throw new AmeideError(
          'failed_precondition',
          `projection ${definition.name} is not running`,
        );
      if (rebuilding)
        throw new AmeideError(
          'failed_precondition',
          `projection ${definition.name} is being rebuilt already; follow it with its status`,
          { reason: 'REBUILD_RUNNING', domain: 'ameide.projections' },
        );
      const source = rebuildOptions.source ?? 'postgres';
      const transport =
        source === 'postgres' ? options.transport : options.rebuildTransports?.[source];
      if (!transport)
        throw new AmeideError(
          'failed_precondition',
          `projection ${definition.name} cannot be rebuilt from ${source}: this platform has no ${source} transport`,
          {
            reason: 'REBUILD_SOURCE_MISSING',
            domain: 'ameide.projections',
            fieldViolations: [
              { field: 'source', description: `no ${source} transport is configured` },
            ],
          },
        );
      const heads = await logHeads();
      const pruned = heads.filter((h) => h.pruned).map((h) => h.domain);
      if (source === 'postgres' && pruned.length > 0)
        throw new AmeideError(
          'failed_precondition',
          `projection ${definition.name} cannot be rebuilt from the Postgres log: retention has pruned the oldest events of ${pruned.join(', ')}; rebuild it from kafka, which keeps them`,
          {
            reason: 'LOG_PRUNED',
            domain: 'ameide.projections',
            fieldViolations: [{ field: 'source', description: 'kafka (the log was pruned)' }],
          },
        );
      const number = serving.number + 1;
      await db.transaction((tx) => createShadowTables(tx, definition, number));
      const gen = generation(number, 'shadow', transport, 50);
      const startedAt = new Date();
      lastRebuild = {
        state: 'running',
        source,
        eventsApplied: 0,
        startedAt,
        finishedAt: undefined,
        error: undefined,
      };
      const targets = heads.map((h) => h.events);
      const done = runRebuild(gen, source, startedAt, targets).then((info) => {
        lastRebuild = info;
        rebuilding = undefined;
        return info;
      });
      rebuilding = { generation: gen, done };
      lastDone = done;
    },

    async rebuilt() {
      return lastDone ? await lastDone : undefined;
    },

    async catchUp(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const lag = await measureLag(serving);
        if (lag.every((l) => l.eventsBehind === 0)) return;
        if (Date.now() > deadline)
          throw new Error(`projection ${definition.name}: not caught up after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },

    async status() {
      const gen = serving;
      const sources = started ? await measureLag(gen) : lastLag;
      lastLag = sources;
      const { rows } = await db.transaction(
        (tx) =>
          tx.query<{ n: string }>(
            `SELECT count(*)::text AS n FROM ${quoteIdentifier(schema, 'schema')}.dead_letters WHERE consumer = $1 AND status = 'open'`,
            [consumerName(gen?.number ?? 1)],
          ),
        relay,
      );
      const r = rebuilding
        ? { ...lastRebuild!, eventsApplied: rebuilding.generation.applied }
        : lastRebuild;
      return {
        name: definition.name,
        description: definition.description,
        state: !started ? 'stopped' : rebuilding ? 'rebuilding' : 'running',
        definitionHash: servedHash,
        generation: gen?.number ?? 0,
        sources,
        eventsApplied: gen?.applied ?? 0,
        eventsBehind: Math.max(0, ...sources.map((s) => s.eventsBehind)),
        secondsBehind: Math.max(0, ...sources.map((s) => s.secondsBehind)),
        tables: definition.tables.map((t) => `${schema}.${t.name}`),
        lastRebuild: r,
        deadLetters: Number(rows[0]?.n ?? 0),
      };
    },
  };
  return runner;
}
