import { AmeideError, ErrorCode } from '@ameide/errors';
import { quoteIdentifier, type Queryable, type Transaction } from '@ameide/persistence';
import { newEventId, parseEventType, type JsonValue } from '../envelope/event-envelope.js';
import { outboxChannel } from './outbox-channel.js';
import { loggedEvent, outboxReadSql, type LoggedEvent, type OutboxRow } from './outbox-rows.js';
import { LOG_START, type LogPosition } from './position.js';

/**
 * An event of an event-sourced history: an outbox event (the envelope the
 * relay, the transports and `EventService` carry) plus what only the owning
 * domain reads back: who caused it and its binary attachment (never put on
 * the wire; e.g. an artifact's content).
 */
export interface HistoryEvent extends LoggedEvent {
  readonly actor: string;
  readonly attachment: Uint8Array | undefined;
}

/** An event to append to a stream. */
export interface NewStreamEvent {
  /** `<domain>.<aggregate>.<event>.v<n>`; the schema version is its `n`. */
  readonly type: string;
  readonly payload: JsonValue;
  readonly attachment?: Uint8Array | undefined;
}

/** The aggregate a stream belongs to, within one domain's log. */
export interface StreamRef {
  /** Schema of the log (`<schema>.outbox` with `eventHistoryMigration`). */
  readonly schema: string;
  /** Domain the envelopes name. */
  readonly domain: string;
  readonly aggregateType: string;
  readonly aggregateId: string;
}

/** Who caused the appended events and as part of what. */
export interface StreamMetadata {
  readonly tenantId: string;
  readonly actor: string;
  readonly correlationId: string;
  readonly causationId?: string | undefined;
}

interface HistoryRow extends OutboxRow {
  actor: string | null;
  attachment: Uint8Array | null;
}

const HISTORY_COLUMNS = ', actor, attachment';
const COLUMNS = `event_id, tenant_id, aggregate_type, aggregate_id, aggregate_version, type, schema_version, payload,
  correlation_id, causation_id, occurred_at, transaction_id::text AS tx, seq${HISTORY_COLUMNS}`;

function historyEvent(row: HistoryRow, domain: string): HistoryEvent {
  return {
    ...loggedEvent(row, domain),
    actor: row.actor ?? '',
    attachment: row.attachment ?? undefined,
  };
}

/**
 * Appends `events` to one aggregate's stream in the domain's log inside the
 * caller's tenant transaction, with optimistic concurrency: `expectedVersion`
 * must be the stream's current version (0n: the stream does not exist yet).
 * The events get versions `expectedVersion + 1, + 2, ...` and the log's
 * positions; they reach the relay, the transports and `EventService` like any
 * outbox event once the transaction commits.
 *
 * Two writers that expect the same version: the second one's insert waits for
 * the first (the log's unique `(tenant, aggregate, version)` key) and then
 * conflicts, so exactly one of them commits.
 *
 * @throws AmeideError `aborted` (`VERSION_CONFLICT`, with the expected and
 * actual version) on a conflict; `not_found` (`<AGGREGATE>_NOT_FOUND`) when
 * `expectedVersion` is not 0n and the stream does not exist.
 */
export async function appendToStream(
  tx: Transaction,
  stream: StreamRef,
  expectedVersion: bigint,
  events: readonly NewStreamEvent[],
  meta: StreamMetadata,
): Promise<HistoryEvent[]> {
  if (events.length === 0) return [];
  const s = quoteIdentifier(stream.schema, 'schema');
  const occurredAt = new Date();
  const recorded: HistoryEvent[] = [];
  for (const [i, e] of events.entries()) {
    const version = expectedVersion + BigInt(i) + 1n;
    const eventId = newEventId();
    const schemaVersion = parseEventType(e.type).version;
    const payload = JSON.stringify(e.payload);
    const params: unknown[] = [
      eventId,
      meta.tenantId,
      stream.aggregateType,
      stream.aggregateId,
      version,
      e.type,
      schemaVersion,
      payload,
      meta.correlationId,
      meta.causationId ?? null,
      occurredAt,
      meta.actor,
      e.attachment ?? null,
    ];
    // The first event carries the version check: it is inserted only when the
    // stream is at `expectedVersion`, and not at all when a concurrent writer
    // took the same version first. The later ones cannot conflict any more.
    const guard =
      i === 0
        ? `WHERE (SELECT coalesce(max(aggregate_version), 0) FROM ${s}.outbox
                   WHERE tenant_id = $2 AND aggregate_type = $3 AND aggregate_id = $4) = $5::bigint - 1
           ON CONFLICT (tenant_id, aggregate_type, aggregate_id, aggregate_version) DO NOTHING`
        : '';
    // Only the position comes back: every other column is what was just
    // sent, so the event is built from it instead of parsing the row (15
    // columns, the attachment as hex) again.
    const { rows } = await tx.query<{ tx: string; seq: bigint }>(
      `INSERT INTO ${s}.outbox (event_id, tenant_id, aggregate_type, aggregate_id, aggregate_version, type,
         schema_version, payload, correlation_id, causation_id, occurred_at, actor, attachment)
       SELECT $1::uuid, $2::text, $3::text, $4::text, $5::bigint, $6::text, $7::int, $8::jsonb, $9::text,
              $10::text, $11::timestamptz, $12::text, $13::bytea
       ${guard}
       RETURNING transaction_id::text AS tx, seq`,
      params,
    );
    if (rows.length === 0) await conflict(tx, stream, expectedVersion);
    const row = rows[0]!;
    recorded.push({
      envelope: {
        eventId,
        tenantId: meta.tenantId,
        domain: stream.domain,
        aggregateType: stream.aggregateType,
        aggregateId: stream.aggregateId,
        aggregateVersion: version,
        type: e.type,
        schemaVersion,
        occurredAt: new Date(occurredAt.getTime()),
        correlationId: meta.correlationId,
        causationId: meta.causationId ?? undefined,
        // What the jsonb column gives back, but for the order of keys.
        payload: JSON.parse(payload) as JsonValue,
      },
      position: { transactionId: BigInt(row.tx), seq: BigInt(row.seq) },
      actor: meta.actor,
      attachment: e.attachment == null ? undefined : readBack(tx, e.attachment),
    });
  }
  tx.notifyAfterCommit(outboxChannel(stream.schema));
  return recorded;
}

/** A copy of `bytes` as the engine reads a bytea back (pg: a Buffer; PGlite: a Uint8Array). */
function readBack(tx: Transaction, bytes: Uint8Array): Uint8Array {
  return tx.kind === 'postgres' ? Buffer.from(bytes) : new Uint8Array(bytes);
}

async function conflict(q: Queryable, stream: StreamRef, expected: bigint): Promise<never> {
  const actual = await readStreamVersion(q, stream);
  if (expected !== 0n && actual === 0n) {
    throw new AmeideError(
      ErrorCode.NotFound,
      `${stream.aggregateType} ${stream.aggregateId} not found`,
      { reason: `${stream.aggregateType.toUpperCase()}_NOT_FOUND` },
    );
  }
  throw AmeideError.versionConflict({
    subject: stream.aggregateType,
    subjectId: stream.aggregateId,
    expectedVersion: expected,
    actualVersion: actual,
  });
}

/**
 * Events of one stream with `after < version <= upTo`, in version order,
 * as the caller's role and tenant may see them.
 */
export async function readStream(
  q: Queryable,
  stream: StreamRef,
  range: { readonly after?: bigint; readonly upTo?: bigint } = {},
): Promise<HistoryEvent[]> {
  const s = quoteIdentifier(stream.schema, 'schema');
  const { rows } = await q.query<HistoryRow>(
    `SELECT ${COLUMNS} FROM ${s}.outbox
      WHERE aggregate_type = $1 AND aggregate_id = $2
        AND aggregate_version > $3 AND ($4::bigint IS NULL OR aggregate_version <= $4)
      ORDER BY aggregate_version`,
    [stream.aggregateType, stream.aggregateId, range.after ?? 0n, range.upTo ?? null],
  );
  return rows.map((r) => historyEvent(r, stream.domain));
}

/** A stream's current version; 0n when it does not exist (or is another tenant's). */
export async function readStreamVersion(q: Queryable, stream: StreamRef): Promise<bigint> {
  const s = quoteIdentifier(stream.schema, 'schema');
  const { rows } = await q.query<{ version: bigint | null }>(
    `SELECT max(aggregate_version) AS version FROM ${s}.outbox
      WHERE aggregate_type = $1 AND aggregate_id = $2`,
    [stream.aggregateType, stream.aggregateId],
  );
  return rows[0]?.version == null ? 0n : BigInt(rows[0].version);
}

/**
 * The log in commit order after `after`, with the history columns: the same
 * reader as the relay's and `EventService`'s (`readOutbox`), only below
 * `pg_snapshot_xmin`, so a late commit is never skipped.
 */
export async function readHistory(
  q: Queryable,
  schema: string,
  domain: string,
  after: LogPosition = LOG_START,
  limit = 500,
): Promise<HistoryEvent[]> {
  const { rows } = await q.query<HistoryRow>(outboxReadSql(schema, 1, HISTORY_COLUMNS), [
    after.transactionId.toString(),
    after.seq,
    limit,
  ]);
  return rows.map((r) => historyEvent(r, domain));
}
