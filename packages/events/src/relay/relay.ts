import { setTimeout as sleep } from 'node:timers/promises';
import {
  quoteIdentifier,
  quoteLiteral,
  type Database,
  type Queryable,
  type QueryResult,
  type Transaction,
} from '@ameide/persistence';
import type { EventEnvelope } from '../envelope/event-envelope.js';
import { silentLogger, type EventsLogger } from '../logger.js';
import { outboxChannel } from '../outbox/outbox-channel.js';
import {
  countHeldBack,
  loggedEvent,
  outboxReadSql,
  readOutbox,
  type LoggedEvent,
  type OutboxRow,
} from '../outbox/outbox-rows.js';
import { LOG_START, formatPosition, type LogPosition } from '../outbox/position.js';
import { asRelayRole, RELAY_ROLE } from '../schema/relay-role.js';
import type { EventPublisher } from '../transport/event-transport.js';

/** The lease check: `$1` the lease key, `$2` the pid of the session that holds it (0: none). */
const LEASE_SQL = `SELECT pg_backend_pid() AS lease_pid,
       CASE WHEN pg_backend_pid() = $2 THEN true
            ELSE pg_try_advisory_lock(hashtextextended($1, 0)) END AS got`;

/** `sql` with `$1`, `$2`, ... replaced by `values` (SQL literals the caller made safe). */
function inlineParams(sql: string, values: readonly string[]): string {
  return sql.replace(/\$(\d+)/g, (_, n: string) => values[Number(n) - 1]!);
}

function beganWith(tx: Transaction): QueryResult {
  if (!tx.beginResult) throw new Error('the relay needs a Database that returns tx.beginResult');
  return tx.beginResult;
}

interface LeaseRow {
  readonly lease_pid: number;
  readonly got: boolean;
}

/** Options of {@link createRelay}. */
export interface RelayOptions {
  /**
   * A database with ONE connection (pg pool `max: 1`, or PGlite): the lease is
   * a session-level advisory lock, so the lock and the work must share a session.
   * (Listening for commits takes a second connection on a server, outside the pool.)
   */
  readonly db: Database;
  readonly domain: string;
  /** Schema of the outbox. Default: the domain. */
  readonly schema?: string;
  readonly publisher: EventPublisher;
  /** Events per read and publish. Default 500. */
  readonly batchSize?: number;
  /**
   * Pause when there is nothing to do, and between lease attempts; a commit to
   * the outbox ends it early (see `wakeOnCommit`). Default 50 ms.
   */
  readonly pollMs?: number;
  /**
   * Listen on the outbox's channel ({@link outboxChannel}), which every outbox
   * write notifies at COMMIT, and start a cycle then instead of at the next
   * poll. Polling goes on either way: it is what finds events whose
   * notification was lost or that an older open transaction held back.
   * Default true.
   */
  readonly wakeOnCommit?: boolean;
  /** Held back longer than this by an open transaction: logged as a stall. Default 5 s. */
  readonly stallAfterMs?: number;
  /** Name of the progress row and of the lease; relays of one domain with the same name exclude each other. Default: the domain. */
  readonly name?: string;
  readonly relayRole?: string;
  readonly logger?: EventsLogger;
  /**
   * Called when the broker has acknowledged a batch, before its checkpoint
   * commits (so a batch can be reported again after a crash), e.g. to measure
   * commit-to-publish latency.
   */
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
 *
 * While its session holds the lease, a relay keeps the checkpoint it
 * committed and reads the next batch during the broker's acks of a full one,
 * so a busy cycle costs four round trips besides the publish. Between cycles
 * it waits `pollMs` or until the outbox's channel is notified.
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
  const wakeOnCommit = options.wakeOnCommit ?? true;
  const channel = outboxChannel(schema);

  let active = false;
  // The session that holds the lease (its backend pid): a session-level lock
  // lasts as long as its session, so while the pid is the same the lease is
  // still ours and the checkpoint is the one this relay committed last.
  let leasePid = 0;
  let checkpoint: LogPosition | undefined;
  // The batch after the checkpoint, read while the previous one was published.
  let readAhead: readonly LoggedEvent[] | undefined;
  let position: LogPosition = LOG_START;
  let published = 0;
  let duplicates = 0;
  let heldBack = 0;
  let stalledSince: number | undefined;
  let stallReported = false;
  let lastError: string | undefined;
  let loop: Promise<void> | undefined;
  let stopping = false;

  const loseLease = (): void => {
    active = false;
    leasePid = 0;
    checkpoint = undefined;
    readAhead = undefined;
  };

  const runOnce = async (): Promise<RelayCycle> => {
    // A session lock held by this session (same backend pid) is still
    // ours; locking it again would stack it, so only a new session tries
    // the lock. While the lease is kept, one statement checks it and reads
    // the batch after the checkpoint this relay committed last; it travels
    // with BEGIN (its values inlined as literals: a key of quoted text and
    // numbers), so a woken relay is one round trip from its batch.
    const known = readAhead === undefined ? checkpoint : undefined;
    const leaseAndRead =
      known === undefined
        ? undefined
        : inlineParams(
            `WITH lease AS MATERIALIZED (${LEASE_SQL})
             SELECT lease.*, o.* FROM lease LEFT JOIN LATERAL (${outboxReadSql(schema, 3)}) o ON lease.got`,
            [
              quoteLiteral(leaseKey),
              String(leasePid),
              quoteLiteral(known.transactionId.toString()),
              known.seq.toString(),
              String(batchSize),
            ],
          );
    const cycle = await db.transaction(
      async (tx) => {
        const { rows } = (
          leaseAndRead === undefined
            ? await tx.query<LeaseRow & Partial<OutboxRow>>(LEASE_SQL, [leaseKey, leasePid])
            : beganWith(tx)
        ) as { rows: (LeaseRow & Partial<OutboxRow>)[] };
        const lease = rows[0];
        if (lease?.got !== true) {
          if (active)
            logger.warn({ domain, relay: name }, 'relay lost its lease; another relay is active');
          loseLease();
          return undefined;
        }
        let from: LogPosition | undefined;
        let batch: readonly LoggedEvent[] | undefined;
        if (lease.lease_pid === leasePid) {
          from = checkpoint;
          batch =
            known === undefined
              ? readAhead
              : rows.flatMap((r) =>
                  r.event_id == null ? [] : [loggedEvent(r as OutboxRow, domain)],
                );
        } else {
          // A new session took the lease: whatever this relay remembers may be stale.
          if (!active) logger.info({ domain, relay: name }, 'relay took the lease');
          loseLease();
          active = true;
          leasePid = lease.lease_pid;
        }
        readAhead = undefined;
        from ??= await readCheckpoint(tx);
        batch ??= await readOutbox(tx, schema, domain, from, batchSize);
        const last = batch.at(-1)?.position ?? from;
        // The connection is idle while the broker acks: meanwhile count what is
        // held back (a short batch) or read the next batch (a full one).
        const held = batch.length < batchSize ? countHeldBack(tx, schema, last) : undefined;
        if (batch.length === 0) return { from, last, batch, heldBack: await held };
        const next = held ? undefined : readOutbox(tx, schema, domain, last, batchSize);
        held?.catch(() => undefined);
        next?.catch(() => undefined);
        const envelopes = batch.map((e) => e.envelope);
        const outcome = await publisher.publish(envelopes);
        // Published: consumers can have them from now on.
        options.onPublished?.(envelopes);
        const counted = await held;
        const ahead = await next;
        await tx.query(
          `INSERT INTO ${s}.relay_progress (relay, transaction_id, seq) VALUES ($1, $2::text::xid8, $3)
         ON CONFLICT (relay) DO UPDATE SET transaction_id = excluded.transaction_id, seq = excluded.seq, updated_at = now()`,
          [name, last.transactionId.toString(), last.seq],
        );
        published += outcome.published;
        duplicates += outcome.duplicates;
        return { from, last, batch, heldBack: counted, ahead };
      },
      leaseAndRead === undefined ? role : { begin: `${role.begin}; ${leaseAndRead}` },
    );
    lastError = undefined;
    if (!cycle) return { active: false, published: 0 };
    // Committed: the table holds `last` now.
    checkpoint = cycle.last;
    position = cycle.last;
    // An empty read-ahead says nothing about what committed since.
    if (cycle.ahead?.length) readAhead = cycle.ahead;
    if (cycle.heldBack !== undefined) trackStall(cycle.heldBack);
    return { active: true, published: cycle.batch.length };
  };

  const readCheckpoint = async (tx: Queryable): Promise<LogPosition> => {
    const progress = await tx.query<{ tx: string; seq: bigint }>(
      `SELECT transaction_id::text AS tx, seq FROM ${s}.relay_progress WHERE relay = $1`,
      [name],
    );
    return progress.rows[0]
      ? { transactionId: BigInt(progress.rows[0].tx), seq: BigInt(progress.rows[0].seq) }
      : LOG_START;
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

  // Wake-up: a notification ends the pause between cycles early.
  let woken = false;
  let endPause: (() => void) | undefined;
  const wake = (): void => {
    woken = true;
    endPause?.();
  };
  const pause = (ms: number): Promise<void> =>
    woken || stopping
      ? Promise.resolve()
      : new Promise((resolve) => {
          const timer = setTimeout(done, ms);
          function done(): void {
            clearTimeout(timer);
            endPause = undefined;
            resolve();
          }
          endPause = done;
        });

  let unlisten: (() => Promise<void>) | undefined;
  let listening: Promise<void> | undefined;
  let nextListenAt = 0;
  let listenFailed = false;
  // In the background, so a database that does not answer never delays a cycle.
  const ensureListening = (): void => {
    if (!wakeOnCommit || unlisten || listening || Date.now() < nextListenAt) return;
    listening = db
      .listen(channel, wake)
      .then(
        (stop) => {
          unlisten = stop;
          if (listenFailed) logger.info({ domain, relay: name }, 'relay listens for commits again');
          listenFailed = false;
          // Whatever committed before LISTEN took effect is found by this cycle.
          wake();
        },
        (error: unknown) => {
          nextListenAt = Date.now() + 5_000;
          if (!listenFailed)
            logger.warn(
              { domain, relay: name, err: error instanceof Error ? error.message : String(error) },
              'relay cannot listen for outbox commits; polling only',
            );
          listenFailed = true;
        },
      )
      .finally(() => (listening = undefined));
  };

  return {
    start() {
      if (loop) return;
      stopping = false;
      loop = (async () => {
        let failures = 0;
        while (!stopping) {
          ensureListening();
          // Set before the cycle: a commit notified during it starts the next one at once.
          woken = false;
          try {
            const cycle = await runOnce();
            failures = 0;
            if (cycle.published < batchSize) await pause(pollMs);
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
        await listening;
        await unlisten?.().catch(() => undefined);
        unlisten = undefined;
      })();
    },
    async stop() {
      stopping = true;
      endPause?.();
      await loop;
      loop = undefined;
      if (active) {
        await db
          .query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [leaseKey])
          .catch(() => undefined);
        loseLease();
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
