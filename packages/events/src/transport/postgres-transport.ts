import { setTimeout as sleep } from 'node:timers/promises';
import { AmeideError } from '@ameide/errors';
import { quoteIdentifier, type Database } from '@ameide/persistence';
import { readOutbox, type LoggedEvent } from '../outbox/outbox-rows.js';
import { LOG_START, type LogPosition } from '../outbox/position.js';
import { asRelayRole, RELAY_ROLE } from '../schema/relay-role.js';
import type { CursorOptions, Delivery, EventCursor, EventTransport } from './event-transport.js';

/** Options of {@link createPostgresTransport}. */
export interface PostgresTransportOptions {
  /** The database holding the domains' outboxes (an owner/admin connection that may SET ROLE to the relay role). */
  readonly db: Database;
  /** Schema of a domain's outbox. Default: the domain name. */
  readonly schemaOf?: (domain: string) => string;
  /** How often an idle cursor looks for new events. Default 50 ms. */
  readonly pollMs?: number;
  readonly relayRole?: string;
}

const CONSUMER_NAME = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * The embedded default transport: consumers read the domain's outbox directly
 * by log position (the same below-xmin rule as the relay, so late commits are
 * never skipped) and keep their position in `<schema>.consumer_progress`. No
 * relay and no broker are involved. Reads run as the relay role, which may
 * read every tenant's outbox rows and nothing else.
 */
export function createPostgresTransport(options: PostgresTransportOptions): EventTransport {
  const { db } = options;
  const schemaOf = options.schemaOf ?? ((d: string) => d);
  const pollMs = options.pollMs ?? 50;
  const role = asRelayRole(options.relayRole ?? RELAY_ROLE);
  return {
    kind: 'postgres',
    publisher: undefined,
    async openCursor(cursor: CursorOptions): Promise<EventCursor> {
      if (!CONSUMER_NAME.test(cursor.consumer)) {
        throw AmeideError.invalidArgument('consumer name must match [A-Za-z0-9_-]{1,100}', [
          { field: 'consumer', description: cursor.consumer },
        ]);
      }
      const schema = schemaOf(cursor.domain);
      const s = quoteIdentifier(schema, 'schema');
      let position = await db.transaction(async (tx) => {
        const { rows } = await tx.query<{ tx: string; seq: bigint }>(
          `SELECT transaction_id::text AS tx, seq FROM ${s}.consumer_progress WHERE consumer = $1`,
          [cursor.consumer],
        );
        return rows[0]
          ? { transactionId: BigInt(rows[0].tx), seq: BigInt(rows[0].seq) }
          : LOG_START;
      }, role);
      const positions = new WeakMap<Delivery, LogPosition>();
      let closed = false;
      return {
        async next({ max, waitMs, signal }) {
          const deadline = Date.now() + waitMs;
          for (;;) {
            const from = position;
            const events: LoggedEvent[] = await db.transaction(
              (tx) => readOutbox(tx, schema, cursor.domain, from, max),
              role,
            );
            if (events.length > 0 || closed || signal?.aborted || Date.now() >= deadline) {
              return events.map((e) => {
                const delivery: Delivery = {
                  envelope: e.envelope,
                  problem: undefined,
                  raw: undefined,
                  routedTenant: undefined,
                };
                positions.set(delivery, e.position);
                return delivery;
              });
            }
            await sleep(Math.min(pollMs, Math.max(1, deadline - Date.now())), undefined, {
              signal,
            }).catch(() => undefined);
          }
        },
        async settle(batch, outcome) {
          // The log is read in order: the position may only move past the
          // deliveries before the first one to retry.
          let next = position;
          for (const d of batch) {
            if (outcome(d) === 'retry') break;
            next = positions.get(d) ?? next;
          }
          if (next === position) return;
          await db.transaction(async (tx) => {
            await tx.query(
              `INSERT INTO ${s}.consumer_progress (consumer, transaction_id, seq) VALUES ($1, $2::text::xid8, $3)
               ON CONFLICT (consumer) DO UPDATE SET transaction_id = excluded.transaction_id, seq = excluded.seq, updated_at = now()`,
              [cursor.consumer, next.transactionId.toString(), next.seq],
            );
          }, role);
          position = next;
        },
        close() {
          closed = true;
          return Promise.resolve();
        },
      };
    },
    close: () => Promise.resolve(),
  };
}
