import { AmeideError } from '@ameide/errors';
import { quoteIdentifier, withTenant, type Database, type Transaction } from '@ameide/persistence';
import { decodeEnvelope } from '../envelope/envelope-codec.js';
import type { EventEnvelope } from '../envelope/event-envelope.js';
import { asRelayRole, RELAY_ROLE } from '../schema/relay-role.js';
import { consumerTables } from './consumer-tables.js';

/** A dead letter as listed. */
export interface DeadLetter {
  readonly id: bigint;
  readonly consumer: string;
  readonly tenantId: string | undefined;
  readonly eventId: string | undefined;
  readonly aggregateType: string | undefined;
  readonly aggregateId: string | undefined;
  readonly aggregateVersion: bigint | undefined;
  readonly type: string | undefined;
  /** failed: handler failed every attempt; parked: behind a failed one; rejected: no usable tenant or envelope (not replayable). */
  readonly reason: 'failed' | 'parked' | 'rejected';
  readonly error: string;
  readonly attempts: number;
  readonly status: 'open' | 'replay' | 'replayed';
  readonly createdAt: Date;
}

interface DeadLetterRow {
  id: bigint;
  consumer: string;
  tenant_id: string | null;
  event_id: string | null;
  aggregate_type: string | null;
  aggregate_id: string | null;
  aggregate_version: bigint | null;
  type: string | null;
  reason: DeadLetter['reason'];
  error: string;
  attempts: number;
  status: DeadLetter['status'];
  created_at: Date;
}

const COLUMNS = `id, consumer, tenant_id, event_id, aggregate_type, aggregate_id, aggregate_version, type, reason, error, attempts, status, created_at`;

function toDeadLetter(r: DeadLetterRow): DeadLetter {
  return {
    id: BigInt(r.id),
    consumer: r.consumer,
    tenantId: r.tenant_id ?? undefined,
    eventId: r.event_id ?? undefined,
    aggregateType: r.aggregate_type ?? undefined,
    aggregateId: r.aggregate_id ?? undefined,
    aggregateVersion: r.aggregate_version === null ? undefined : BigInt(r.aggregate_version),
    type: r.type ?? undefined,
    reason: r.reason,
    error: r.error,
    attempts: r.attempts,
    status: r.status,
    createdAt: r.created_at,
  };
}

/** Where the dead letters are and who reads them. */
export interface DeadLetterScope {
  readonly db: Database;
  readonly schema: string;
  readonly relayRole?: string;
}

/** Dead letters of every tenant (an operator's view, run as the relay role), oldest first. */
export async function listDeadLetters(
  scope: DeadLetterScope,
  filter: { consumer?: string; status?: DeadLetter['status']; limit?: number } = {},
): Promise<DeadLetter[]> {
  const s = quoteIdentifier(scope.schema, 'schema');
  const { rows } = await scope.db.transaction(
    (tx) =>
      tx.query<DeadLetterRow>(
        `SELECT ${COLUMNS} FROM ${s}.dead_letters
          WHERE ($1::text IS NULL OR consumer = $1) AND ($2::text IS NULL OR status = $2)
          ORDER BY id LIMIT $3`,
        [filter.consumer ?? null, filter.status ?? null, filter.limit ?? 100],
      ),
    asRelayRole(scope.relayRole ?? RELAY_ROLE),
  );
  return rows.map(toDeadLetter);
}

/**
 * Marks open dead letters for replay by their consumer (which replays them in
 * aggregate order on its next cycles). Selecting one letter selects every open
 * letter of its aggregate, since later events of an aggregate must not run
 * before earlier ones. Rejected letters have no usable tenant and are never
 * replayed. Returns the ids marked.
 */
export async function requestReplay(
  scope: DeadLetterScope,
  selection: { ids?: readonly bigint[]; consumer?: string },
): Promise<bigint[]> {
  if (
    (selection.ids === undefined || selection.ids.length === 0) &&
    selection.consumer === undefined
  ) {
    throw AmeideError.invalidArgument('give dead letter ids or a consumer', [
      { field: 'ids', description: 'required unless consumer is given' },
    ]);
  }
  const s = quoteIdentifier(scope.schema, 'schema');
  const { rows } = await scope.db.transaction(
    (tx) =>
      tx.query<{ id: bigint }>(
        `WITH chosen AS (
           SELECT DISTINCT consumer, tenant_id, aggregate_type, aggregate_id FROM ${s}.dead_letters
            WHERE status = 'open' AND reason <> 'rejected'
              AND ($1::bigint[] IS NULL OR id = ANY($1)) AND ($2::text IS NULL OR consumer = $2))
         UPDATE ${s}.dead_letters d SET status = 'replay'
           FROM chosen c
          WHERE d.status = 'open' AND d.reason <> 'rejected' AND d.consumer = c.consumer AND d.tenant_id = c.tenant_id
            AND d.aggregate_type = c.aggregate_type AND d.aggregate_id = c.aggregate_id
         RETURNING d.id`,
        [
          selection.ids && selection.ids.length > 0 ? selection.ids.map(String) : null,
          selection.consumer ?? null,
        ],
      ),
    asRelayRole(scope.relayRole ?? RELAY_ROLE),
  );
  return rows.map((r) => BigInt(r.id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Options of {@link replayRequested}. */
export interface ReplayOptions extends DeadLetterScope {
  readonly consumer: string;
  readonly handle: (event: EventEnvelope, tx: Transaction) => Promise<void>;
  /** Work outside the database, run before each letter's transaction (see the consumer's `effect`). */
  readonly effect?: (event: EventEnvelope) => Promise<void>;
  readonly appRole?: string;
}

interface ReplayRow {
  id: bigint;
  tenant_id: string;
  aggregate_type: string;
  aggregate_id: string;
  envelope: Uint8Array;
}

/**
 * Replays the consumer's dead letters marked `replay`, per aggregate in
 * version order, each in its event's tenant transaction: handler effect,
 * letter marked `replayed`, aggregate unblocked by one. The first failure of
 * an aggregate puts it back to `open` (attempts + 1) and stops that aggregate.
 */
export async function replayRequested(
  options: ReplayOptions,
): Promise<{ replayed: number; failed: number }> {
  const total = { replayed: 0, failed: 0 };
  // Events that parked behind an aggregate while it was being replayed are
  // marked and replayed in a further round.
  for (let round = 0; round < 10; round++) {
    const { replayed, failed, succeeded } = await replayRound(options);
    total.replayed += replayed;
    total.failed += failed;
    if (succeeded.length === 0 || (await markParkedBehind(options, succeeded)) === 0) break;
  }
  return total;
}

async function replayRound(
  options: ReplayOptions,
): Promise<{ replayed: number; failed: number; succeeded: string[][] }> {
  const { db, consumer } = options;
  const s = quoteIdentifier(options.schema, 'schema');
  const tables = consumerTables(options.schema, consumer);
  const { rows } = await db.transaction(
    (tx) =>
      tx.query<ReplayRow>(
        `SELECT id, tenant_id, aggregate_type, aggregate_id, envelope FROM ${s}.dead_letters
          WHERE consumer = $1 AND status = 'replay' ORDER BY tenant_id, aggregate_type, aggregate_id, aggregate_version`,
        [consumer],
      ),
    asRelayRole(options.relayRole ?? RELAY_ROLE),
  );
  let replayed = 0;
  let failed = 0;
  const failedAggregates = new Set<string>();
  const touched = new Map<string, string[]>();
  for (const row of rows) {
    const key = JSON.stringify([row.tenant_id, row.aggregate_type, row.aggregate_id]);
    touched.set(key, [row.tenant_id, row.aggregate_type, row.aggregate_id]);
    if (failedAggregates.has(key)) {
      await withTenant(
        db,
        { tenantId: row.tenant_id },
        (tx) =>
          tx.query(
            `UPDATE ${s}.dead_letters SET status = 'open' WHERE id = $1 AND status = 'replay'`,
            [row.id],
          ),
        tenantOpts(options),
      );
      continue;
    }
    try {
      const event = decodeEnvelope(row.envelope);
      await options.effect?.(event);
      const done = await withTenant(
        db,
        { tenantId: row.tenant_id },
        async (tx) => {
          const claimed = await tx.query(
            `UPDATE ${s}.dead_letters SET status = 'replayed', resolved_at = now() WHERE id = $1 AND status = 'replay'`,
            [row.id],
          );
          if (claimed.rowCount === 0) return false;
          await options.handle(event, tx);
          await tables.advance(tx, event, -1);
          return true;
        },
        tenantOpts(options),
      );
      if (done) replayed++;
    } catch (error) {
      failed++;
      failedAggregates.add(key);
      const message = error instanceof Error ? error.message : String(error);
      await withTenant(
        db,
        { tenantId: row.tenant_id },
        (tx) =>
          tx.query(
            `UPDATE ${s}.dead_letters SET status = 'open', attempts = attempts + 1, error = $2 WHERE id = $1`,
            [row.id, message.slice(0, 4000)],
          ),
        tenantOpts(options),
      );
    }
  }
  const succeeded = [...touched.entries()]
    .filter(([key]) => !failedAggregates.has(key))
    .map(([, parts]) => parts);
  return { replayed, failed, succeeded };
}

async function markParkedBehind(
  options: ReplayOptions,
  aggregates: readonly string[][],
): Promise<number> {
  const s = quoteIdentifier(options.schema, 'schema');
  const { rowCount } = await options.db.transaction(
    (tx) =>
      tx.query(
        `UPDATE ${s}.dead_letters SET status = 'replay'
          WHERE consumer = $1 AND status = 'open' AND reason = 'parked'
            AND (tenant_id, aggregate_type, aggregate_id) IN (SELECT * FROM jsonb_to_recordset($2::jsonb) AS a(t text, y text, i text))`,
        [options.consumer, JSON.stringify(aggregates.map(([t, y, i]) => ({ t, y, i })))],
      ),
    asRelayRole(options.relayRole ?? RELAY_ROLE),
  );
  return rowCount;
}

function tenantOpts(options: { appRole?: string }): { appRole?: string } {
  return options.appRole ? { appRole: options.appRole } : {};
}
