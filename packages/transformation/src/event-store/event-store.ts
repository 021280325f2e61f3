import {
  appendToStream as appendToLogStream,
  LOG_START,
  readHistory,
  readStream as readLogStream,
  type HistoryEvent,
  type JsonValue,
  type LogPosition,
  type StreamRef,
} from '@ameide/events';
import type { Queryable, Transaction } from '@ameide/persistence';

/**
 * The Transformation Domain's event store: a thin layer over the events kit's
 * log. Artifact events are appended to `transformation.outbox` with the kit's
 * `appendToStream` (optimistic concurrency per artifact) and read back with
 * its readers, so the relay, the transports and `EventService` carry them as
 * events of domain `transformation`, aggregate `artifact`. The log is the
 * domain's history: never pruned (`eventHistoryMigration`).
 */

/** Domain (and schema) of the artifact events. */
export const TRANSFORMATION_DOMAIN = 'transformation';
/** Aggregate type of every artifact stream. */
export const ARTIFACT_AGGREGATE = 'artifact';

/** An event to append. */
export interface NewEvent<D = Record<string, unknown>> {
  /** `transformation.artifact.<event>.v<n>`; the schema version is its `n`. */
  readonly type: string;
  readonly data: D;
  /** Binary content kept in the log only (never published): artifact content, compiled plan. */
  readonly payload?: Uint8Array | undefined;
}

/** Who caused a change and as part of what. */
export interface EventMetadata {
  readonly tenantId: string;
  readonly actor: string;
  readonly correlationId: string;
  readonly causationId?: string | undefined;
}

/** A stored event. */
export interface RecordedEvent<D = Record<string, unknown>> {
  readonly eventId: string;
  readonly tenantId: string;
  readonly streamId: string;
  readonly streamVersion: bigint;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: D;
  readonly payload: Uint8Array | undefined;
  readonly actor: string;
  readonly correlationId: string;
  readonly causationId: string | undefined;
  readonly occurredAt: Date;
  readonly position: LogPosition;
}

function stream(streamId: string): StreamRef {
  return {
    schema: TRANSFORMATION_DOMAIN,
    domain: TRANSFORMATION_DOMAIN,
    aggregateType: ARTIFACT_AGGREGATE,
    aggregateId: streamId,
  };
}

function toRecorded<D>(e: HistoryEvent): RecordedEvent<D> {
  const { envelope } = e;
  return {
    eventId: envelope.eventId,
    tenantId: envelope.tenantId,
    streamId: envelope.aggregateId,
    streamVersion: envelope.aggregateVersion,
    type: envelope.type,
    schemaVersion: envelope.schemaVersion,
    data: envelope.payload as D,
    payload: e.attachment,
    actor: e.actor,
    correlationId: envelope.correlationId,
    causationId: envelope.causationId,
    occurredAt: envelope.occurredAt,
    position: e.position,
  };
}

/**
 * Appends events to an artifact's stream inside the caller's (tenant)
 * transaction, with optimistic concurrency: `expectedVersion` 0n creates the
 * stream; otherwise it must be the stream's current version. A conflict is an
 * `aborted` AmeideError carrying the expected and the actual version; a stream
 * that does not exist (or is another tenant's) is `not_found`
 * (`ARTIFACT_NOT_FOUND`).
 */
export async function appendToStream(
  tx: Transaction,
  streamId: string,
  expectedVersion: bigint,
  events: readonly NewEvent[],
  meta: EventMetadata,
): Promise<RecordedEvent[]> {
  const appended = await appendToLogStream(
    tx,
    stream(streamId),
    expectedVersion,
    events.map((e) => ({
      type: e.type,
      payload: e.data as JsonValue,
      attachment: e.payload,
    })),
    meta,
  );
  return appended.map((e) => toRecorded(e));
}

/** Events of one stream with `after < stream_version <= upTo`, in order. */
export async function readStream<D = Record<string, unknown>>(
  q: Queryable,
  streamId: string,
  range: { after?: bigint; upTo?: bigint } = {},
): Promise<RecordedEvent<D>[]> {
  return (await readLogStream(q, stream(streamId), range)).map((e) => toRecorded<D>(e));
}

/**
 * Events after `after` in the log's order, across the streams the caller's
 * RLS context can see: the kit's one reader below `pg_snapshot_xmin`, so an
 * event committed late by a concurrent writer is never skipped (a long-open
 * transaction holds readers back instead).
 */
export async function readAll<D = Record<string, unknown>>(
  q: Queryable,
  after: LogPosition = LOG_START,
  limit = 500,
): Promise<RecordedEvent<D>[]> {
  return (await readHistory(q, TRANSFORMATION_DOMAIN, TRANSFORMATION_DOMAIN, after, limit)).map(
    (e) => toRecorded<D>(e),
  );
}
