import { quoteIdentifier, type Queryable, type Transaction } from '@ameide/persistence';
import type { EventEnvelope, JsonValue } from '../envelope/event-envelope.js';
import { outboxChannel } from './outbox-channel.js';
import type { LogPosition } from './position.js';

/** An event read from an outbox, with its log position. */
export interface LoggedEvent {
  readonly envelope: EventEnvelope;
  readonly position: LogPosition;
}

/** A row as {@link outboxReadSql} returns it. */
export interface OutboxRow {
  event_id: string;
  tenant_id: string;
  aggregate_type: string;
  aggregate_id: string;
  aggregate_version: bigint;
  type: string;
  schema_version: number;
  payload: JsonValue;
  correlation_id: string;
  causation_id: string | null;
  occurred_at: Date;
  tx: string;
  seq: bigint;
}

/**
 * Appends events to `<schema>.outbox` inside the caller's transaction (the
 * unit of work's tenant transaction). They become visible to the relay and to
 * Postgres transport cursors when that transaction commits, and never if it
 * rolls back. After the commit {@link outboxChannel} is notified, which wakes
 * a waiting relay at once instead of at its next poll.
 */
export async function appendToOutbox(
  tx: Transaction,
  schema: string,
  events: readonly EventEnvelope[],
  options: {
    /** Skip events whose id (or aggregate version) is there already: for writers whose retries carry the same ids. */
    readonly skipExisting?: boolean;
  } = {},
): Promise<void> {
  if (events.length === 0) return;
  const insert = outboxInsert(schema, events, 0);
  await tx.query(
    options.skipExisting ? `${insert.sql} ON CONFLICT DO NOTHING` : insert.sql,
    insert.params,
  );
  tx.notifyAfterCommit(outboxChannel(schema));
}

/** A statement with its parameters. */
export interface SqlStatement {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/**
 * The INSERT of `events` into `<schema>.outbox`, numbering its parameters
 * from `$offset+1`, so it can share one statement (and one round trip) with
 * the aggregate's save.
 */
export function outboxInsert(
  schema: string,
  events: readonly EventEnvelope[],
  offset: number,
): SqlStatement {
  const s = quoteIdentifier(schema, 'schema');
  const cols = 11;
  const params: unknown[] = [];
  const tuples = events.map((e, i) => {
    params.push(
      e.eventId,
      e.tenantId,
      e.aggregateType,
      e.aggregateId,
      e.aggregateVersion,
      e.type,
      e.schemaVersion,
      JSON.stringify(e.payload),
      e.correlationId,
      e.causationId ?? null,
      e.occurredAt,
    );
    return `(${Array.from({ length: cols }, (_, k) => `$${offset + i * cols + k + 1}`).join(', ')})`;
  });
  // A plain multi-row VALUES: parameter types come from the target columns.
  return {
    sql: `INSERT INTO ${s}.outbox (event_id, tenant_id, aggregate_type, aggregate_id, aggregate_version, type,
       schema_version, payload, correlation_id, causation_id, occurred_at)
     VALUES ${tuples.join(', ')}`,
    params,
  };
}

/**
 * Events of `<schema>.outbox` after `after`, in commit order, at most `limit`.
 * Only rows of transactions older than every transaction still running are
 * read, so a row committed late by a concurrent writer is never skipped: it
 * shows once its transaction and every older one have ended. A long-open
 * transaction therefore holds readers back; see {@link countHeldBack}.
 *
 * Runs under whatever role `q` is in: the relay role reads all tenants, the
 * app role only its tenant.
 */
export async function readOutbox(
  q: Queryable,
  schema: string,
  domain: string,
  after: LogPosition,
  limit: number,
): Promise<LoggedEvent[]> {
  const { rows } = await q.query<OutboxRow>(outboxReadSql(schema, 1), [
    after.transactionId.toString(),
    after.seq,
    limit,
  ]);
  return rows.map((r) => loggedEvent(r, domain));
}

/**
 * The SELECT of {@link readOutbox} with its parameters (after's transaction
 * id as text, after's seq, limit) numbered from `$first`, for a statement that
 * reads the outbox along with something else (the relay's lease check).
 * `extraColumns` (`, actor, attachment`) adds the columns of an event-sourced
 * history (`readHistory`, event-stream.ts); it is never caller input.
 */
export function outboxReadSql(schema: string, first: number, extraColumns = ''): string {
  const s = quoteIdentifier(schema, 'schema');
  return `SELECT event_id, tenant_id, aggregate_type, aggregate_id, aggregate_version, type, schema_version, payload,
            correlation_id, causation_id, occurred_at, transaction_id::text AS tx, seq${extraColumns}
       FROM ${s}.outbox
      WHERE (transaction_id, seq) > ($${first}::text::xid8, $${first + 1}::bigint)
        AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
      ORDER BY transaction_id, seq
      LIMIT $${first + 2}`;
}

/** A row of {@link outboxReadSql} as an event with its position. */
export function loggedEvent(r: OutboxRow, domain: string): LoggedEvent {
  return {
    envelope: {
      eventId: r.event_id,
      tenantId: r.tenant_id,
      domain,
      aggregateType: r.aggregate_type,
      aggregateId: r.aggregate_id,
      aggregateVersion: BigInt(r.aggregate_version),
      type: r.type,
      schemaVersion: r.schema_version,
      occurredAt: r.occurred_at,
      correlationId: r.correlation_id,
      causationId: r.causation_id ?? undefined,
      payload: r.payload,
    },
    position: { transactionId: BigInt(r.tx), seq: BigInt(r.seq) },
  };
}

/**
 * How many rows after `after` {@link readOutbox} would return now (committed, below
 * `pg_snapshot_xmin`), and when the oldest of them occurred: a reader's backlog.
 */
export async function countReadable(
  q: Queryable,
  schema: string,
  after: LogPosition,
): Promise<{ readonly events: number; readonly oldest: Date | undefined }> {
  const s = quoteIdentifier(schema, 'schema');
  const { rows } = await q.query<{ n: string; oldest: Date | string | null }>(
    `SELECT count(*)::text AS n, min(occurred_at) AS oldest FROM ${s}.outbox
      WHERE (transaction_id, seq) > ($1::text::xid8, $2::bigint)
        AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())`,
    [after.transactionId.toString(), after.seq.toString()],
  );
  const oldest = rows[0]?.oldest;
  return { events: Number(rows[0]?.n ?? 0), oldest: oldest ? new Date(oldest) : undefined };
}

/**
 * Committed rows after `after` that {@link readOutbox} does not return yet
 * because an older transaction is still open (the "stall" described under "Outbox ordering" in ARCHITECTURE.md).
 */
export async function countHeldBack(
  q: Queryable,
  schema: string,
  after: LogPosition,
): Promise<number> {
  const s = quoteIdentifier(schema, 'schema');
  const { rows } = await q.query<{ n: bigint }>(
    `SELECT count(*) AS n FROM ${s}.outbox
      WHERE (transaction_id, seq) > ($1::text::xid8, $2::bigint)
        AND transaction_id >= pg_snapshot_xmin(pg_current_snapshot())`,
    [after.transactionId.toString(), after.seq],
  );
  return Number(rows[0]?.n ?? 0n);
}
