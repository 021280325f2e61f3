import { randomUUID } from 'node:crypto';
import { AmeideError, ErrorCode } from '@ameide/errors';
import type { Queryable } from '@ameide/persistence';
import { START, type Position } from './position.js';

/** An event to append. */
export interface NewEvent<D = Record<string, unknown>> {
  readonly type: string;
  readonly data: D;
  readonly payload?: Uint8Array | undefined;
  readonly schemaVersion?: number;
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
  readonly position: Position;
}

interface EventRow {
  event_id: string;
  tenant_id: string;
  stream_id: string;
  stream_version: bigint;
  type: string;
  schema_version: number;
  data: Record<string, unknown>;
  payload: Uint8Array | null;
  actor: string;
  correlation_id: string;
  causation_id: string | null;
  occurred_at: Date;
  tx: string;
  global_seq: bigint;
}

const COLUMNS = `event_id, tenant_id, stream_id, stream_version, type, schema_version, data, payload,
  actor, correlation_id, causation_id, occurred_at, transaction_id::text AS tx, global_seq`;

function toRecorded<D>(row: EventRow): RecordedEvent<D> {
  return {
    eventId: row.event_id,
    tenantId: row.tenant_id,
    streamId: row.stream_id,
    streamVersion: BigInt(row.stream_version),
    type: row.type,
    schemaVersion: row.schema_version,
    data: row.data as D,
    payload: row.payload ?? undefined,
    actor: row.actor,
    correlationId: row.correlation_id,
    causationId: row.causation_id ?? undefined,
    occurredAt: row.occurred_at,
    position: { transactionId: BigInt(row.tx), seq: BigInt(row.global_seq) },
  };
}

/**
 * Appends events to a stream inside the caller's (tenant) transaction, with
 * optimistic concurrency: `expectedVersion` 0n creates the stream; otherwise
 * it must be the stream's current version. A conflict is an `aborted`
 * AmeideError carrying the expected and the actual version.
 */
export async function appendToStream(
  tx: Queryable,
  streamId: string,
  expectedVersion: bigint,
  events: readonly NewEvent[],
  meta: EventMetadata,
): Promise<RecordedEvent[]> {
  if (events.length === 0) return [];
  const next = expectedVersion + BigInt(events.length);
  // The stream's version check and the first event travel in one statement
  // (a data-modifying CTE): no row from the CTE, no event, and a conflict.
  const claim =
    expectedVersion === 0n
      ? `INSERT INTO transformation.streams (tenant_id, stream_id, version) VALUES ($2, $3, $12)
         ON CONFLICT DO NOTHING RETURNING version`
      : `UPDATE transformation.streams SET version = $12 WHERE stream_id = $3 AND version = $13 RETURNING version`;
  const recorded: RecordedEvent[] = [];
  let version = expectedVersion;
  for (const [i, e] of events.entries()) {
    version++;
    const values = [
      randomUUID(),
      meta.tenantId,
      streamId,
      version,
      e.type,
      e.schemaVersion ?? 1,
      JSON.stringify(e.data),
      e.payload ?? null,
      meta.actor,
      meta.correlationId,
      meta.causationId ?? null,
    ];
    const insert = `INSERT INTO transformation.events
         (event_id, tenant_id, stream_id, stream_version, type, schema_version, data, payload, actor, correlation_id, causation_id)`;
    const { rows } =
      i === 0
        ? await tx.query<EventRow>(
            `WITH claimed AS (${claim})
             ${insert}
             SELECT $1::uuid, $2::text, $3::uuid, $4::bigint, $5::text, $6::int, $7::jsonb, $8::bytea, $9::text, $10::text, $11::text
             FROM claimed
             RETURNING ${COLUMNS}`,
            expectedVersion === 0n ? [...values, next] : [...values, next, expectedVersion],
          )
        : await tx.query<EventRow>(
            `${insert} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ${COLUMNS}`,
            values,
          );
    if (rows.length === 0) await conflict(tx, streamId, expectedVersion);
    recorded.push(toRecorded(rows[0]!));
  }
  return recorded;
}

async function conflict(tx: Queryable, streamId: string, expected: bigint): Promise<never> {
  const { rows } = await tx.query<{ version: bigint }>(
    `SELECT version FROM transformation.streams WHERE stream_id = $1`,
    [streamId],
  );
  const actual = rows[0] ? BigInt(rows[0].version) : 0n;
  if (expected !== 0n && actual === 0n) {
    throw new AmeideError(ErrorCode.NotFound, `artifact ${streamId} not found`, {
      reason: 'ARTIFACT_NOT_FOUND',
    });
  }
  throw AmeideError.versionConflict({
    subject: 'artifact',
    subjectId: streamId,
    expectedVersion: expected,
    actualVersion: actual,
  });
}

/** Events of one stream with `from < stream_version <= to`, in order. */
export async function readStream<D = Record<string, unknown>>(
  q: Queryable,
  streamId: string,
  range: { after?: bigint; upTo?: bigint } = {},
): Promise<RecordedEvent<D>[]> {
  const { rows } = await q.query<EventRow>(
    `SELECT ${COLUMNS} FROM transformation.events
     WHERE stream_id = $1 AND stream_version > $2 AND ($3::bigint IS NULL OR stream_version <= $3)
     ORDER BY stream_version`,
    [streamId, range.after ?? 0n, range.upTo ?? null],
  );
  return rows.map((r) => toRecorded<D>(r));
}

/** Current version of a stream, 0n when it does not exist (or is another tenant's). */
export async function streamVersion(q: Queryable, streamId: string): Promise<bigint> {
  const { rows } = await q.query<{ version: bigint }>(
    `SELECT version FROM transformation.streams WHERE stream_id = $1`,
    [streamId],
  );
  return rows[0] ? BigInt(rows[0].version) : 0n;
}

/**
 * Events after `after` in global order, across the streams the caller's RLS
 * context can see. Only events of transactions older than every transaction
 * still running are returned, so an event committed late by a concurrent
 * writer is never skipped: it is returned once its transaction (and every
 * older one) has finished. A long-open transaction therefore holds readers
 * back; it does not make them skip.
 */
export async function readAll<D = Record<string, unknown>>(
  q: Queryable,
  after: Position = START,
  limit = 500,
): Promise<RecordedEvent<D>[]> {
  const { rows } = await q.query<EventRow>(
    `SELECT ${COLUMNS} FROM transformation.events
     WHERE (transaction_id, global_seq) > ($1::text::xid8, $2::bigint)
       AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
     ORDER BY transaction_id, global_seq
     LIMIT $3`,
    [after.transactionId.toString(), after.seq, limit],
  );
  return rows.map((r) => toRecorded<D>(r));
}
