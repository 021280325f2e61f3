import { AmeideError } from '@ameide/errors';
import { quoteIdentifier, type Database, type Queryable } from '@ameide/persistence';
import {
  DEFAULT_IDEMPOTENCY_RETENTION_MS,
  pruneIdempotencyKeys,
} from '../idempotency/idempotency-key.js';
import { comparePositions, LOG_START, type LogPosition } from '../outbox/position.js';
import { isEventHistory } from '../schema/event-history.js';
import { asRelayRole, RELAY_ROLE } from '../schema/relay-role.js';

const DAY_MS = 24 * 3600 * 1000;

/** Default age after which published outbox rows may go: 7 days. */
export const DEFAULT_OUTBOX_RETENTION_MS = 7 * DAY_MS;
/**
 * Default age after which inbox rows go: 7 days. Keep it longer than the
 * transport can redeliver an event (JetStream's stream max age, a Postgres
 * transport cursor's lag).
 */
export const DEFAULT_INBOX_RETENTION_MS = 7 * DAY_MS;

/**
 * Readers the outbox must not be pruned without: while one of them has no
 * checkpoint yet (a relay that never published, e.g. because its broker is
 * down), nothing of the outbox is deleted.
 */
export interface RequiredCheckpoints {
  /** Names in `relay_progress` (a relay's name defaults to its domain). */
  readonly relays?: readonly string[];
  /** Names in `consumer_progress` (Postgres transport cursors). */
  readonly consumers?: readonly string[];
}

/** Options of {@link pruneEventTables}. */
export interface PruneOptions {
  /** The domain schema with the event tables and `eventRetentionMigration`. */
  readonly schema: string;
  /** Outbox rows older than this (by `recorded_at`) and passed by every checkpoint go. Default 7 days. */
  readonly outboxRetentionMs?: number;
  /** Inbox rows handled longer ago than this go. Default 7 days. */
  readonly inboxRetentionMs?: number;
  /**
   * Idempotency keys (when the schema has `idempotencyTablesMigration`) older
   * than this go. Default 7 days; keep it at least the unit of work's
   * `idempotencyRetentionMs`.
   */
  readonly idempotencyRetentionMs?: number;
  /** Rows per DELETE (one short transaction each). Default 1000. */
  readonly batchSize?: number;
  /** Batches per table and run; the next run goes on where this one stopped. Default 1000. */
  readonly maxBatches?: number;
  readonly requiredCheckpoints?: RequiredCheckpoints;
  /** The clock retention ages are measured against. Default: the database's `now()`. */
  readonly now?: () => Date;
  readonly relayRole?: string;
}

/** A relay checkpoint or a Postgres transport cursor. */
export interface Checkpoint {
  readonly kind: 'relay' | 'consumer';
  readonly name: string;
  readonly position: LogPosition;
}

/** What one {@link pruneEventTables} run did. */
export interface PruneResult {
  readonly schema: string;
  readonly outboxDeleted: number;
  readonly inboxDeleted: number;
  readonly idempotencyKeysDeleted: number;
  /** The last outbox position this run deleted (everything up to it is gone); undefined when none. */
  readonly prunedThrough: LogPosition | undefined;
  /** The checkpoint furthest behind; undefined when the schema has none (the outbox is pruned by age only). */
  readonly slowest: Checkpoint | undefined;
  /**
   * Set when rows older than the retention are kept because {@link slowest}
   * has not passed them (a stalled relay, or a retired consumer whose
   * `consumer_progress` row should be deleted): the oldest such row's time.
   */
  readonly heldBackSince: Date | undefined;
  /** Why the outbox was left alone (a required checkpoint is missing); undefined when it was pruned. */
  readonly outboxSkipped: string | undefined;
}

interface PositionRow {
  tx: string;
  seq: bigint;
}

const toPosition = (r: PositionRow): LogPosition => ({
  transactionId: BigInt(r.tx),
  seq: BigInt(r.seq),
});

/**
 * Deletes what a domain schema's event tables no longer need, as the relay
 * role (cross-tenant, policies `TO` it; the app role cannot delete either
 * table), in batches of short transactions so a large backlog never holds
 * long locks.
 *
 * Outbox: a **prefix** of the log, i.e. the rows up to the first one that is
 * still needed, where a row is needed while
 * - it is younger than `outboxRetentionMs` (its `recorded_at`), or
 * - a relay (`relay_progress`) or Postgres transport cursor
 *   (`consumer_progress`) has not passed it. Readers continue *after* their
 *   checkpoint (`(transaction_id, seq) > checkpoint`), so the checkpoint's
 *   own row may go; a row after any checkpoint is never deleted, or
 * - its transaction is not below `pg_snapshot_xmin` (readers cannot see it yet).
 *
 * With no checkpoint at all (no relay, no Postgres transport consumer: e.g.
 * `ameide dev` without NATS, where only `TailEvents` reads the log) the outbox
 * is pruned by age alone; name the readers that must exist in
 * `requiredCheckpoints` to keep everything until they have checkpointed.
 * Because only a prefix goes, each tenant's last pruned position
 * (`outbox_pruned`) tells `TailEvents` exactly whether a caller's position is
 * still inside the retained window.
 *
 * Inbox: rows handled more than `inboxRetentionMs` ago. The dedupe stays
 * correct for a redelivery inside that window (the inbox row is still there);
 * an older redelivery is still refused by per-aggregate order
 * (`consumer_aggregates.last_version`, never pruned): an event at or below
 * the aggregate's last handled version is a duplicate.
 *
 * Never a domain's event-sourced history (`eventHistoryMigration`, e.g. the
 * Transformation Domain's artifact events): that log *is* the domain's state,
 * so such a schema is refused before anything is read or deleted (and its
 * triggers would refuse the DELETE anyway).
 *
 * @throws AmeideError `invalid_argument` for bad options, `failed_precondition`
 * when the schema lacks `eventRetentionMigration` or is an event-sourced
 * history (`EVENT_HISTORY_NOT_PRUNED`).
 */
export async function pruneEventTables(db: Database, options: PruneOptions): Promise<PruneResult> {
  const { schema } = options;
  const s = quoteIdentifier(schema, 'schema');
  const { outboxMs, inboxMs, idempotencyMs, batchSize, maxBatches } = checkPruneOptions(options);
  const role = asRelayRole(options.relayRole ?? RELAY_ROLE);

  const plan = await db.transaction(async (tx) => {
    if (await isEventHistory(tx, schema)) {
      throw new AmeideError(
        'failed_precondition',
        `schema "${schema}" keeps an event-sourced history in its outbox: it is never pruned`,
        { reason: 'EVENT_HISTORY_NOT_PRUNED', metadata: { schema } },
      );
    }
    const { rows: ready } = await tx.query<{ ok: boolean }>(
      `SELECT to_regclass($1) IS NOT NULL AS ok`,
      [`${s}.outbox_pruned`],
    );
    if (ready[0]?.ok !== true) {
      throw new AmeideError(
        'failed_precondition',
        `schema "${schema}" has no event retention tables: add eventRetentionMigration to its migrations`,
        { reason: 'RETENTION_NOT_MIGRATED', metadata: { schema } },
      );
    }
    const { rows: clock } = await tx.query<{ now: Date; outbox: Date; inbox: Date; xmin: string }>(
      `SELECT coalesce($1::timestamptz, now()) AS now,
              coalesce($1::timestamptz, now()) - $2::double precision * interval '1 millisecond' AS outbox,
              coalesce($1::timestamptz, now()) - $3::double precision * interval '1 millisecond' AS inbox,
              pg_snapshot_xmin(pg_current_snapshot())::text AS xmin`,
      [options.now?.() ?? null, outboxMs, inboxMs],
    );
    const cutoffs = clock[0]!;
    const outbox = await planOutbox(
      tx,
      s,
      cutoffs.outbox,
      cutoffs.xmin,
      options.requiredCheckpoints,
    );
    return { cutoffs, ...outbox };
  }, role);

  let outboxDeleted = 0;
  let prunedThrough: LogPosition | undefined;
  if (plan.upTo) {
    let after = LOG_START;
    for (let batch = 0; batch < maxBatches; batch++) {
      const { n, last } = await db.transaction(
        (tx) => deleteOutboxBatch(tx, s, after, plan.upTo!, plan.cutoffs.outbox, batchSize),
        role,
      );
      outboxDeleted += n;
      if (!last) break;
      after = prunedThrough = last;
      if (n < batchSize || comparePositions(last, plan.upTo) >= 0) break;
    }
  }

  let inboxDeleted = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    const { rowCount } = await db.transaction(
      (tx) =>
        tx.query(
          `WITH doomed AS (
             SELECT consumer, event_id FROM ${s}.inbox WHERE handled_at < $1 ORDER BY handled_at LIMIT $2)
           DELETE FROM ${s}.inbox i USING doomed d WHERE i.consumer = d.consumer AND i.event_id = d.event_id`,
          [plan.cutoffs.inbox, batchSize],
        ),
      role,
    );
    inboxDeleted += rowCount;
    if (rowCount < batchSize) break;
  }

  const idempotencyKeysDeleted = await pruneIdempotencyKeys(db, schema, {
    now: plan.cutoffs.now,
    retentionMs: idempotencyMs,
    batchSize,
    maxBatches,
    ...(options.relayRole !== undefined && { relayRole: options.relayRole }),
  });

  return {
    schema,
    outboxDeleted,
    inboxDeleted,
    idempotencyKeysDeleted,
    prunedThrough,
    slowest: plan.slowest,
    heldBackSince: plan.heldBackSince,
    outboxSkipped: plan.skipped,
  };
}

interface OutboxPlan {
  /** Delete every row up to and including this position; undefined: nothing to delete. */
  readonly upTo: LogPosition | undefined;
  readonly slowest: Checkpoint | undefined;
  readonly heldBackSince: Date | undefined;
  readonly skipped: string | undefined;
}

/**
 * Finds the prefix to delete. The rows below `xmin` are a fixed set (no
 * transaction below it can still commit), so the prefix computed here stays
 * exactly the same while the batches delete it.
 */
async function planOutbox(
  tx: Queryable,
  s: string,
  cutoff: Date,
  xmin: string,
  required: RequiredCheckpoints | undefined,
): Promise<OutboxPlan> {
  const { rows } = await tx.query<{ kind: 'relay' | 'consumer'; name: string } & PositionRow>(
    `SELECT 'relay' AS kind, relay AS name, transaction_id::text AS tx, seq FROM ${s}.relay_progress
     UNION ALL
     SELECT 'consumer', consumer, transaction_id::text, seq FROM ${s}.consumer_progress`,
  );
  const checkpoints: Checkpoint[] = rows.map((r) => ({
    kind: r.kind,
    name: r.name,
    position: toPosition(r),
  }));
  const missing = [
    ...(required?.relays ?? [])
      .filter((n) => !checkpoints.some((c) => c.kind === 'relay' && c.name === n))
      .map((n) => `relay "${n}"`),
    ...(required?.consumers ?? [])
      .filter((n) => !checkpoints.some((c) => c.kind === 'consumer' && c.name === n))
      .map((n) => `consumer "${n}"`),
  ];
  const slowest = checkpoints.reduce<Checkpoint | undefined>(
    (min, c) => (min === undefined || comparePositions(c.position, min.position) < 0 ? c : min),
    undefined,
  );
  if (missing.length > 0) {
    return {
      upTo: undefined,
      slowest,
      heldBackSince: undefined,
      skipped: `${missing.join(', ')} has no checkpoint yet`,
    };
  }

  // Rows every reader has passed and can no longer change: a fixed set.
  const passed = (params: unknown[]): string => {
    params.push(xmin);
    const conditions = [`transaction_id < $${params.length}::text::xid8`];
    if (slowest) {
      params.push(slowest.position.transactionId.toString(), slowest.position.seq);
      conditions.push(
        `(transaction_id, seq) <= ($${params.length - 1}::text::xid8, $${params.length}::bigint)`,
      );
    }
    return conditions.join(' AND ');
  };
  // The first row too young to go ends the prefix.
  const youngParams: unknown[] = [];
  const youngWhere = passed(youngParams);
  youngParams.push(cutoff);
  const firstYoung = (
    await tx.query<PositionRow>(
      `SELECT transaction_id::text AS tx, seq FROM ${s}.outbox
        WHERE ${youngWhere} AND recorded_at >= $${youngParams.length}
        ORDER BY transaction_id, seq LIMIT 1`,
      youngParams,
    )
  ).rows[0];
  const lastParams: unknown[] = [];
  let lastSql = `SELECT transaction_id::text AS tx, seq FROM ${s}.outbox WHERE ${passed(lastParams)}`;
  if (firstYoung) {
    lastParams.push(firstYoung.tx, firstYoung.seq);
    lastSql += ` AND (transaction_id, seq) < ($${lastParams.length - 1}::text::xid8, $${lastParams.length}::bigint)`;
  }
  const last = await tx.query<PositionRow>(
    `${lastSql} ORDER BY transaction_id DESC, seq DESC LIMIT 1`,
    lastParams,
  );

  let heldBackSince: Date | undefined;
  if (slowest) {
    const next = await tx.query<{ recorded_at: Date }>(
      `SELECT recorded_at FROM ${s}.outbox
        WHERE (transaction_id, seq) > ($1::text::xid8, $2::bigint) AND transaction_id < $3::text::xid8
        ORDER BY transaction_id, seq LIMIT 1`,
      [slowest.position.transactionId.toString(), slowest.position.seq, xmin],
    );
    const oldest = next.rows[0]?.recorded_at;
    if (oldest !== undefined && oldest < cutoff) heldBackSince = oldest;
  }
  return {
    upTo: last.rows[0] ? toPosition(last.rows[0]) : undefined,
    slowest,
    heldBackSince,
    skipped: undefined,
  };
}

/**
 * One batch: deletes the next rows of the prefix in log order and moves each
 * tenant's `outbox_pruned` mark in the same transaction, so a reader that
 * sees a row gone also sees the mark.
 */
async function deleteOutboxBatch(
  tx: Queryable,
  s: string,
  after: LogPosition,
  upTo: LogPosition,
  cutoff: Date,
  limit: number,
): Promise<{ n: number; last: LogPosition | undefined }> {
  const { rows } = await tx.query<PositionRow & { n: bigint }>(
    `WITH doomed AS (
       SELECT event_id FROM ${s}.outbox
        WHERE (transaction_id, seq) > ($1::text::xid8, $2::bigint)
          AND (transaction_id, seq) <= ($3::text::xid8, $4::bigint)
          AND recorded_at < $5
        ORDER BY transaction_id, seq
        LIMIT $6
     ), deleted AS (
       DELETE FROM ${s}.outbox o USING doomed d WHERE o.event_id = d.event_id
       RETURNING o.tenant_id, o.transaction_id, o.seq
     ), marked AS (
       INSERT INTO ${s}.outbox_pruned AS p (tenant_id, transaction_id, seq)
       SELECT DISTINCT ON (tenant_id) tenant_id, transaction_id, seq FROM deleted
        ORDER BY tenant_id, transaction_id DESC, seq DESC
       ON CONFLICT (tenant_id) DO UPDATE
         SET transaction_id = excluded.transaction_id, seq = excluded.seq, pruned_at = now()
         WHERE (p.transaction_id, p.seq) < (excluded.transaction_id, excluded.seq)
     )
     SELECT transaction_id::text AS tx, seq, (SELECT count(*) FROM deleted) AS n
       FROM deleted ORDER BY transaction_id DESC, seq DESC LIMIT 1`,
    [
      after.transactionId.toString(),
      after.seq,
      upTo.transactionId.toString(),
      upTo.seq,
      cutoff,
      limit,
    ],
  );
  const row = rows[0];
  return row ? { n: Number(row.n), last: toPosition(row) } : { n: 0, last: undefined };
}

/**
 * The numeric options with their defaults, validated (so a scheduler can
 * refuse a bad configuration when it starts, not at its first run).
 *
 * @throws AmeideError `invalid_argument` naming the option.
 */
export function checkPruneOptions(options: Omit<PruneOptions, 'schema'>): {
  outboxMs: number;
  inboxMs: number;
  idempotencyMs: number;
  batchSize: number;
  maxBatches: number;
} {
  return {
    outboxMs: duration(options.outboxRetentionMs, DEFAULT_OUTBOX_RETENTION_MS, 'outboxRetentionMs'),
    inboxMs: duration(options.inboxRetentionMs, DEFAULT_INBOX_RETENTION_MS, 'inboxRetentionMs'),
    idempotencyMs: duration(
      options.idempotencyRetentionMs,
      DEFAULT_IDEMPOTENCY_RETENTION_MS,
      'idempotencyRetentionMs',
    ),
    batchSize: count(options.batchSize, 1000, 'batchSize'),
    maxBatches: count(options.maxBatches, 1000, 'maxBatches'),
  };
}

function duration(value: number | undefined, fallback: number, field: string): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v <= 0) {
    throw AmeideError.invalidArgument(`${field} must be a positive number of milliseconds`, [
      { field, description: String(value) },
    ]);
  }
  return v;
}

function count(value: number | undefined, fallback: number, field: string): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < 1) {
    throw AmeideError.invalidArgument(`${field} must be a positive integer`, [
      { field, description: String(value) },
    ]);
  }
  return v;
}
