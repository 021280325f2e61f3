import { createHash } from 'node:crypto';
import {
  appendToOutbox,
  ensureRelayRole,
  eventTablesMigration,
  idempotencyTablesMigration,
  type EventEnvelope,
} from '@ameide/events';
import {
  ensureAppRole,
  migrate,
  migratePlatform,
  withTenant,
  type Database,
  type MigrateResult,
} from '@ameide/persistence';
import type { InstanceLifecycleEvent } from '../workflow/activity-types.js';
import { startTriggersMigration } from '../client/start-triggers.js';

/** Schema of the process runtime's event log (instance lifecycle events). */
export const PROCESS_EVENTS_SCHEMA = 'process';

/** Event types of an instance (domain `process`, aggregate `instance`, id = the instance id). */
export const InstanceEventType = {
  started: 'process.instance.started.v1',
  completed: 'process.instance.completed.v1',
  failed: 'process.instance.failed.v1',
  cancelled: 'process.instance.cancelled.v1',
} as const;

/**
 * The process runtime's tables in schema `process` (owner connection): the events kit's (its event
 * log, the inboxes of its consumers, and the idempotency keys that hold message receipts), and the
 * start triggers.
 */
export async function migrateProcessEvents(db: Database): Promise<MigrateResult> {
  await ensureAppRole(db);
  await ensureRelayRole(db);
  await migratePlatform(db);
  return migrate(db, {
    schema: PROCESS_EVENTS_SCHEMA,
    migrations: [
      eventTablesMigration(PROCESS_EVENTS_SCHEMA, 1),
      startTriggersMigration,
      // Message ids of CorrelateMessage (see start-triggers.ts).
      idempotencyTablesMigration(PROCESS_EVENTS_SCHEMA, 3),
    ],
  });
}

/** A deterministic uuid (v8 layout) per instance and lifecycle step, so a retried activity writes nothing twice. */
function eventIdOf(instanceId: string, kind: string): string {
  const h = createHash('sha256').update(`${instanceId}\u0000${kind}`).digest('hex');
  const variant = ((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

/** The trace id of a W3C traceparent, which the sales domain records as its events' correlation id. */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  const m = traceparent
    ? /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(traceparent)
    : null;
  return m?.[1];
}

/**
 * Appends one lifecycle event of an instance to the `process` log, in the
 * instance's tenant transaction (RLS). Idempotent: the event id is derived
 * from the instance and the step, and a second insert of it changes nothing.
 */
export async function recordInstanceEvent(
  db: Database,
  event: InstanceLifecycleEvent,
): Promise<void> {
  const envelope: EventEnvelope = {
    eventId: eventIdOf(event.instanceId, event.kind),
    tenantId: event.tenantId,
    domain: PROCESS_EVENTS_SCHEMA,
    aggregateType: 'instance',
    aggregateId: event.instanceId,
    aggregateVersion: event.kind === 'started' ? 1n : 2n,
    type: InstanceEventType[event.kind],
    schemaVersion: 1,
    occurredAt: new Date(event.occurredAt),
    correlationId: traceIdOf(event.traceparent) ?? event.instanceId,
    causationId: undefined,
    payload: {
      definition: event.definition,
      version: event.version,
      businessKey: event.businessKey,
      ...(event.error ? { error: event.error } : {}),
    },
  };
  await withTenant(db, { tenantId: event.tenantId }, (tx) =>
    appendToOutbox(tx, PROCESS_EVENTS_SCHEMA, [envelope], { skipExisting: true }),
  );
}
