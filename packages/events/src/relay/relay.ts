import { setTimeout as sleep } from 'node:timers/promises';
import { quoteIdentifier, type Database } from '@ameide/persistence';
import type { EventEnvelope } from '../envelope/event-envelope.js';
import { silentLogger, type EventsLogger } from '../logger.js';
import { countHeldBack, readOutbox } from '../outbox/outbox-rows.js';
import { LOG_START, formatPosition, type LogPosition } from '../outbox/position.js';
import { asRelayRole, RELAY_ROLE } from '../schema/relay-role.js';
import type { EventPublisher } from '../transport/event-transport.js';

/** Options of {@link createRelay}. */
export interface RelayOptions {
  /**
   * A database with ONE connection (pg pool `max: 1`, or PGlite): the lease is
   * a session-level advisory lock, so the lock and the work must share a session.
   */
  readonly db: Database;
  readonly domain: string;
  /** Schema of the outbox. Default: the domain. */
  readonly schema?: string;
  readonly publisher: EventPublisher;
  /** Events per read and publish. Default 500. */
  readonly batchSize?: number;
  /** Pause when there is nothing to do, and between lease attempts. Default 50 ms. */
  readonly pollMs?: number;
  /** Held back longer than this by an open transaction: logged as a stall. Default 5 s. */
  readonly stallAfterMs?: number;
  /** Name of the progress row and of the lease; relays of one domain with the same name exclude each other. Default: the domain. */
  readonly name?: string;
  readonly relayRole?: string;
  readonly logger?: EventsLogger;
  /** Called after a batch was acknowledged by the broker (e.g. to measure commit-to-publish latency). */
  readonly onPublished?: (events: readonly EventEnvelope[]) => void;
}

/** What a relay is doing; a metrics endpoint can expose it as is. */
export interface RelayStatus {
  /** Holds the lease of its domain (only the holder publishes). */
  readonly active: boolean;
  readonly position: LogPosition;
  readonly published: number;
  readonly duplicates: number;
  /** Committed events it cannot read yet because an older transaction is still open. */
  readonly heldBack: number;
  /** How long it has been held back (0 when not). */
  readonly stalledForMs: number;
  readonly lastError: string | undefined;
}

/** The outcome of one {@link Relay.runOnce}. */
export interface RelayCycle {
  readonly active: boolean;
  readonly published: number;
}

/** Moves a domain's outbox to a broker, in commit order, without skipping late commits. */
export interface Relay {
  /** Runs cycles until `stop()`. */
  start(): void;
  /** Stops after the current cycle; releases the lease. */
  stop(): Promise<void>;
  /** One cycle: take or keep the lease, publish one batch, checkpoint it. */
  runOnce(): Promise<RelayCycle>;
  status(): RelayStatus;
}

/**
 * Creates a relay. Each cycle is one transaction under the relay role: check
 * the lease (`pg_try_advisory_lock`, held by the session, so a relay that dies
 * loses it with its connection and another takes over on its next cycle), read
 * up to `batchSize` events after the checkpoint below
 * `pg_snapshot_xmin(pg_current_snapshot())` ordered by `(transaction_id, seq)`,
 * publish them and wait for every ack, then move the checkpoint (the pair) and
 * commit. A crash between publish and commit re-publishes the batch; the
 * broker dedupes by event id.
 */
export function createRelay(options: RelayOptions): Relay {
  const { db, domain, publisher } = options;
  const schema = options.schema ?? domain;
  const s = quoteIdentifier(schema, 'schema');
  const name = options.name ?? domain;
  const batchSize = options.batchSize ?? 500;
  const pollMs = options.pollMs ?? 50;
  const stallAfterMs = options.stallAfterMs ?? 5_000;
  const logger = options.logger ?? silentLogger;
  const role = asRelayRole(options.relayRole ?? RELAY_ROLE);
  const leaseKey = `ameide.relay:${schema}:${name}`;

  let active = false;
  let position: LogPosition = LOG_START;
  let published = 0;
  let duplicates = 0;
  let heldBack = 0;
  let stalledSince: number | undefined;
  let stallReported = false;
  let lastError: string | undefined;
  let loop: Promise<void> | undefined;
  let stopping = false;

  const runOnce = async (): Promise<RelayCycle> => {
    const result = await db.transaction(async (tx) => {
      const { rows } = await tx.query<{ got: boolean }>(
        `SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS got`,
        [leaseKey],
      );
      const got = rows[0]?.got === true;
      if (got && active) {
        // Session advisory locks stack: keep the count at one.
        await tx.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [leaseKey]);
      }
      if (!got) {
        if (active)
          logger.warn({ domain, relay: name }, 'relay lost its lease; another relay is active');
        active = false;
        return { active: false, published: 0 };
      }
      if (!active) logger.info({ domain, relay: name }, 'relay took the lease');
      active = true;
      const progress = await tx.query<{ tx: string; seq: bigint }>(
        `SELECT transaction_id::text AS tx, seq FROM ${s}.relay_progress WHERE relay = $1`,
        [name],
      );
      const from: LogPosition = progress.rows[0]
        ? { transactionId: BigInt(progress.rows[0].tx), seq: BigInt(progress.rows[0].seq) }
        : LOG_START;
      const batch = await readOutbox(tx, schema, domain, from, batchSize);
      if (batch.length < batchSize)
        trackStall(await countHeldBack(tx, schema, batch.at(-1)?.position ?? from));
      if (batch.length === 0) {
        position = from;
        return { active: true, published: 0 };
      }
      const envelopes = batch.map((e) => e.envelope);
      const outcome = await publisher.publish(envelopes);
      const last = batch.at(-1)!.position;
      await tx.query(
        `INSERT INTO ${s}.relay_progress (relay, transaction_id, seq) VALUES ($1, $2::text::xid8, $3)
         ON CONFLICT (relay) DO UPDATE SET transaction_id = excluded.transaction_id, seq = excluded.seq, updated_at = now()`,
        [name, last.transactionId.toString(), last.seq],
      );
      position = last;
      published += outcome.published;
      duplicates += outcome.duplicates;
      options.onPublished?.(envelopes);
      return { active: true, published: batch.length };
    }, role);
    lastError = undefined;
    return result;
  };

  const trackStall = (count: number): void => {
    heldBack = count;
    if (count === 0) {
      if (stallReported) logger.info({ domain, relay: name }, 'relay no longer held back');
      stalledSince = undefined;
      stallReported = false;
      return;
    }
    stalledSince ??= Date.now();
    const stalledForMs = Date.now() - stalledSince;
    if (!stallReported && stalledForMs >= stallAfterMs) {
      stallReported = true;
      logger.warn(
        { domain, relay: name, heldBack: count, stalledForMs, position: formatPosition(position) },
        'relay held back by a long-open transaction: committed events wait until it ends',
      );
    }
  };

  return {
    start() {
      if (loop) return;
      stopping = false;
      loop = (async () => {
        let failures = 0;
        while (!stopping) {
          try {
            const cycle = await runOnce();
            failures = 0;
            if (cycle.published < batchSize) await sleep(pollMs);
          } catch (error) {
            failures++;
            lastError = error instanceof Error ? error.message : String(error);
            logger.error(
              { domain, relay: name, err: lastError, failures },
              'relay cycle failed; retrying',
            );
            await sleep(Math.min(5_000, pollMs * 2 ** Math.min(failures, 7)));
          }
        }
      })();
    },
    async stop() {
      stopping = true;
      await loop;
      loop = undefined;
      if (active) {
        await db
          .query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [leaseKey])
          .catch(() => undefined);
        active = false;
      }
    },
    runOnce,
    status: () => ({
      active,
      position,
      published,
      duplicates,
      heldBack,
      stalledForMs: stalledSince === undefined ? 0 : Date.now() - stalledSince,
      lastError,
    }),
  };
}
