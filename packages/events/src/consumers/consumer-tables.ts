import { quoteIdentifier, type Queryable } from '@ameide/persistence';
import type { EventEnvelope } from '../envelope/event-envelope.js';

/** SQL on a consumer's inbox, aggregate positions and dead letters (one schema). */
export interface ConsumerTables {
  /** Records the event for the consumer; false when it was recorded before. */
  claim(tx: Queryable, event: EventEnvelope): Promise<boolean>;
  /** Last version handled and open dead letters of the event's aggregate; locks the row. */
  aggregate(tx: Queryable, event: EventEnvelope): Promise<{ lastVersion: bigint; blocked: number }>;
  /** Moves the aggregate's last version to the event's; `blockedDelta` opens (+1) or closes (-1) a dead letter. */
  advance(tx: Queryable, event: EventEnvelope, blockedDelta: number): Promise<void>;
  /** Adds a dead letter. */
  deadLetter(tx: Queryable, letter: NewDeadLetter): Promise<void>;
}

/** A dead letter to write. */
export interface NewDeadLetter {
  readonly event: EventEnvelope | undefined;
  /** Tenant to file it under; undefined when the event has no usable tenant. */
  readonly tenantId: string | undefined;
  readonly envelope: Uint8Array;
  readonly reason: 'failed' | 'parked' | 'rejected';
  readonly error: string;
  readonly attempts: number;
}

/** The {@link ConsumerTables} of `consumer` in `schema`. */
export function consumerTables(schema: string, consumer: string): ConsumerTables {
  const s = quoteIdentifier(schema, 'schema');
  return {
    async claim(tx, event) {
      const { rowCount } = await tx.query(
        `INSERT INTO ${s}.inbox (tenant_id, consumer, event_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
        [event.tenantId, consumer, event.eventId],
      );
      return rowCount === 1;
    },
    async aggregate(tx, event) {
      const { rows } = await tx.query<{ last_version: bigint; blocked: number }>(
        `SELECT last_version, blocked FROM ${s}.consumer_aggregates
          WHERE consumer = $1 AND aggregate_type = $2 AND aggregate_id = $3 FOR UPDATE`,
        [consumer, event.aggregateType, event.aggregateId],
      );
      return { lastVersion: BigInt(rows[0]?.last_version ?? 0n), blocked: rows[0]?.blocked ?? 0 };
    },
    async advance(tx, event, blockedDelta) {
      await tx.query(
        `INSERT INTO ${s}.consumer_aggregates (tenant_id, consumer, aggregate_type, aggregate_id, last_version, blocked)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (tenant_id, consumer, aggregate_type, aggregate_id)
         DO UPDATE SET last_version = GREATEST(${s}.consumer_aggregates.last_version, excluded.last_version),
                       blocked = ${s}.consumer_aggregates.blocked + $6`,
        [
          event.tenantId,
          consumer,
          event.aggregateType,
          event.aggregateId,
          event.aggregateVersion,
          blockedDelta,
        ],
      );
    },
    async deadLetter(tx, letter) {
      const e = letter.event;
      await tx.query(
        `INSERT INTO ${s}.dead_letters (consumer, tenant_id, event_id, aggregate_type, aggregate_id, aggregate_version, type,
           envelope, reason, error, attempts)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [
          consumer,
          letter.tenantId ?? null,
          e?.eventId ?? null,
          e?.aggregateType ?? null,
          e?.aggregateId ?? null,
          e?.aggregateVersion ?? null,
          e?.type ?? null,
          letter.envelope,
          letter.reason,
          letter.error.slice(0, 4000),
          letter.attempts,
        ],
      );
    },
  };
}
