import {
  createConsumer,
  createPostgresTransport,
  type EventEnvelope,
  type EventsLogger,
} from '@ameide/events';
import { withTenant, type Database, type Transaction } from '@ameide/persistence';
import { sha256Hex, type ExecutionPlan } from '@ameide/process-definition/plan';
import {
  PROCESS_EVENTS_SCHEMA,
  replaceStartTriggers,
  type ProcessRef,
  type StartSchedules,
} from '@ameide/process-runtime';
import {
  ArtifactEventType,
  TRANSFORMATION_DOMAIN,
  type ArtifactPublishedData,
} from '@ameide/transformation';

/** Options of {@link startStartScheduleSync}. */
export interface StartScheduleSyncOptions {
  /** The database whose Transformation log it follows (the shared one, or a tenant's own). */
  readonly db: Database;
  readonly schedules: StartSchedules;
  readonly logger?: EventsLogger;
  /** How often an idle consumer looks for new events (default 250 ms). */
  readonly pollMs?: number;
}

/**
 * Keeps the Temporal Schedules of timer start events in step with the Transformation
 * Domain: a consumer of its artifact events (inbox in the `process` schema, so each event
 * acts once) that, when a process definition version is published, makes that version's
 * schedules the definition's (created or replaced), and when the definition is archived,
 * removes them, before the event is recorded, outside any transaction. The plan is the
 * published event's attachment, read in a transaction of its own and checked against its hash.
 */
export function startStartScheduleSync(options: StartScheduleSyncOptions): {
  stop(): Promise<void>;
} {
  const { db, schedules } = options;
  const consumer = createConsumer({
    ...publishAndArchive('process-start-schedules', options),
    // Temporal is called before the transaction that records the event, never inside it (on
    // PGlite a transaction holds the one connection): a failure retries the event, a crash
    // before the commit calls again. Idempotent: a schedule is made the version's by its id.
    async effect(event) {
      const definitionId = event.aggregateId;
      if (event.type === ArtifactEventType.Archived) {
        // Archived: no version of it starts on a timer any more (a no-op for other kinds).
        await schedules.sync(event.tenantId, definitionId, undefined);
        return;
      }
      const version = await withTenant(db, { tenantId: event.tenantId }, (tx) =>
        publishedVersionOf(tx, event),
      );
      if (!version) return; // not a process definition
      const changes = await schedules.sync(event.tenantId, definitionId, version);
      for (const c of changes)
        if (c.change === 'refused')
          options.logger?.warn(
            { tenantId: event.tenantId, scheduleId: c.scheduleId, reason: c.reason },
            'a timer start event has no schedule',
          );
    },
    // The inbox records the event once its effect is done.
    handle: () => Promise.resolve(),
  });
  const started = consumer.start();
  return {
    async stop() {
      await started.catch(() => undefined);
      await consumer.stop();
    },
  };
}

/**
 * A consumer `name` of the Transformation log's publish and archive events, its inbox in the
 * `process` schema.
 */
function publishAndArchive(
  name: string,
  options: { readonly db: Database; readonly logger?: EventsLogger; readonly pollMs?: number },
) {
  const { db } = options;
  return {
    name,
    domain: TRANSFORMATION_DOMAIN,
    transport: createPostgresTransport({ db, pollMs: options.pollMs ?? 250 }),
    db,
    schema: PROCESS_EVENTS_SCHEMA,
    types: [ArtifactEventType.Published, ArtifactEventType.Archived],
    ...(options.logger ? { logger: options.logger } : {}),
  };
}

/**
 * The process definition version a published event publishes, with its plan (the event's
 * attachment, checked against its hash); undefined for another kind of artifact.
 */
async function publishedVersionOf(
  tx: Transaction,
  event: EventEnvelope,
): Promise<{ ref: ProcessRef; plan: ExecutionPlan } | undefined> {
  const definitionId = event.aggregateId;
  const published = event.payload as unknown as ArtifactPublishedData;
  if (!published.planHash) return undefined;
  const { rows } = await tx.query(
    `SELECT (SELECT attachment FROM ${TRANSFORMATION_DOMAIN}.outbox WHERE event_id = $1) AS plan,
            (SELECT payload->>'name' FROM ${TRANSFORMATION_DOMAIN}.outbox
              WHERE aggregate_id = $2 AND type = $3 ORDER BY aggregate_version LIMIT 1) AS name`,
    [event.eventId, definitionId, ArtifactEventType.Created],
  );
  const row = rows[0];
  const bytes = row?.['plan'] as Uint8Array | null | undefined;
  const name = row?.['name'] as string | null | undefined;
  if (!bytes || !name)
    throw new Error(`published event ${event.eventId} of ${definitionId} has no plan or name`);
  const json = new TextDecoder().decode(bytes);
  if (sha256Hex(json) !== published.planHash)
    throw new Error(
      `the plan of ${name} version ${published.version} does not match its hash ${published.planHash}`,
    );
  return {
    ref: { definitionId, name, version: published.version, planHash: published.planHash },
    plan: JSON.parse(json) as ExecutionPlan,
  };
}

/** Options of {@link startStartTriggerSync}. */
export interface StartTriggerSyncOptions {
  /** The database whose Transformation log it follows (the shared one, or a tenant's own). */
  readonly db: Database;
  readonly logger?: EventsLogger;
  /** How often an idle consumer looks for new events (default 250 ms). */
  readonly pollMs?: number;
}

/**
 * Keeps `process.start_triggers` (the message and signal start events CorrelateMessage and
 * BroadcastSignal start instances on) in step with the Transformation Domain: a consumer of its
 * artifact events that, in the transaction recording each event, makes a published process
 * definition version's start triggers the definition's, and removes them when it is archived.
 * A consumer of its own (not the schedules'), so a database that published versions before it
 * existed is indexed from the start of the log.
 */
export function startStartTriggerSync(options: StartTriggerSyncOptions): {
  stop(): Promise<void>;
} {
  const consumer = createConsumer({
    ...publishAndArchive('process-start-triggers', options),
    async handle(event, tx) {
      if (event.type === ArtifactEventType.Archived) {
        await replaceStartTriggers(tx, event.tenantId, event.aggregateId, undefined);
        return;
      }
      const version = await publishedVersionOf(tx, event);
      if (version) await replaceStartTriggers(tx, event.tenantId, event.aggregateId, version);
    },
  });
  const started = consumer.start();
  return {
    async stop() {
      await started.catch(() => undefined);
      await consumer.stop();
    },
  };
}

/**
 * Both syncs of process-level start events over one database: the Schedules of timer starts
 * and the index of message and signal starts.
 */
export function startStartEventSync(options: StartScheduleSyncOptions): { stop(): Promise<void> } {
  const schedules = startStartScheduleSync(options);
  const triggers = startStartTriggerSync(options);
  return {
    async stop() {
      await Promise.all([schedules.stop(), triggers.stop()]);
    },
  };
}
