import { setTimeout as sleep } from 'node:timers/promises';
import { isAmeideError } from '@ameide/errors';
import {
  assertValidTenantId,
  withTenant,
  type Database,
  type Transaction,
} from '@ameide/persistence';
import { encodeEnvelope } from '../envelope/envelope-codec.js';
import type { EventEnvelope } from '../envelope/event-envelope.js';
import type { UpcasterChain } from '../envelope/upcasters.js';
import { silentLogger, type EventsLogger } from '../logger.js';
import { asRelayRole, RELAY_ROLE } from '../schema/relay-role.js';
import type {
  Delivery,
  EventCursor,
  EventTransport,
  Settlement,
} from '../transport/event-transport.js';
import { consumerTables } from './consumer-tables.js';
import { replayRequested } from './dead-letters.js';

/**
 * A consumer's effect. Runs inside a transaction whose RLS context is the
 * event's tenant; write the effect through `tx` so it commits together with
 * the inbox record, or not at all. Throwing retries it (with backoff), then
 * dead-letters the event.
 */
export type EventHandler = (event: EventEnvelope, tx: Transaction) => Promise<void>;

/** Options of {@link createConsumer}. */
export interface ConsumerOptions {
  /** Durable name: the inbox key and the transport's cursor. `[A-Za-z0-9_-]`. */
  readonly name: string;
  /** Domain whose events it reads. */
  readonly domain: string;
  readonly transport: EventTransport;
  /** The consumer's database (owner connection that may SET ROLE to the app and relay roles). */
  readonly db: Database;
  /** Schema with the consumer's inbox, aggregate positions and dead letters (`eventTablesMigration`). */
  readonly schema: string;
  readonly handle: EventHandler;
  /**
   * Work outside the database (a call to another system) for an event the consumer has not
   * handled yet, run before the transaction that records the event and runs `handle`, never
   * inside it: no transaction is held open across the call (on PGlite one holds the only
   * connection). Whether the event is due is looked up first, in a short transaction of its
   * own. It runs again when that transaction fails or the process stops before it commits, so
   * it must be idempotent; throwing fails the attempt as `handle` does (retried, then
   * dead-lettered). A replayed dead letter runs it again before its transaction.
   */
  readonly effect?: (event: EventEnvelope) => Promise<void>;
  /** Event types (after upcasting) the handler wants; others are recorded as handled without calling it. Default: all. */
  readonly types?: readonly string[];
  readonly upcasters?: UpcasterChain;
  /** Attempts before an event is dead-lettered. Default 5. */
  readonly maxAttempts?: number;
  /** First retry delay, doubled per attempt up to `maxBackoffMs`. Default 20 ms. */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Deliveries per batch. Default 200. */
  readonly batchSize?: number;
  /** Aggregates handled at once. Default 8. */
  readonly concurrency?: number;
  /** Longest wait for a batch. Default 1000 ms. */
  readonly waitMs?: number;
  /** Redelivery delay for an event whose aggregate predecessor has not arrived yet. Default 500 ms. */
  readonly gapRetryMs?: number;
  readonly appRole?: string;
  readonly relayRole?: string;
  readonly logger?: EventsLogger;
}

/** What happened to one delivery. */
export type DeliveryOutcome =
  'processed' | 'skipped' | 'duplicate' | 'dead_lettered' | 'parked' | 'rejected' | 'retry';

/** Counts of a consumer's outcomes so far. */
export type ConsumerStats = Readonly<Record<DeliveryOutcome, number>> & {
  readonly replayed: number;
};

/** A running consumer of one domain's events. */
export interface Consumer {
  /** Opens the cursor and processes batches until `stop()`. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Opens the cursor if needed and processes one batch (waiting up to `waitMs` for it). */
  runOnce(): Promise<readonly DeliveryOutcome[]>;
  /** Replays dead letters marked for replay; runs in the loop too. */
  replayRequested(): Promise<{ replayed: number; failed: number }>;
  stats(): ConsumerStats;
}

class GapError extends Error {}

/**
 * Creates an at-least-once, idempotent consumer. Per delivery, in one tenant
 * transaction (the event's tenant, never the consumer's): record
 * `(consumer, event_id)` in the inbox (already there: a redelivery, no second
 * effect), check the aggregate's last handled version (an earlier version not
 * yet handled: deliver again later, so per-aggregate order holds whatever
 * order the transport delivers in), run the handler, advance the version.
 * Different aggregates run concurrently, so a failing one does not hold up the
 * others; after `maxAttempts` failures the event is dead-lettered and later
 * events of its aggregate park behind it until it is replayed. An event with a
 * missing or malformed tenant is dead-lettered as `rejected`, never handled.
 */
export function createConsumer(options: ConsumerOptions): Consumer {
  const { db, name, handle } = options;
  const tables = consumerTables(options.schema, name);
  const maxAttempts = options.maxAttempts ?? 5;
  const backoffMs = options.backoffMs ?? 20;
  const maxBackoffMs = options.maxBackoffMs ?? 1_000;
  const batchSize = options.batchSize ?? 200;
  const concurrency = options.concurrency ?? 8;
  const waitMs = options.waitMs ?? 1_000;
  const gapRetryMs = options.gapRetryMs ?? 500;
  const types = options.types ? new Set(options.types) : undefined;
  const logger = options.logger ?? silentLogger;
  const tenantOptions = options.appRole ? { appRole: options.appRole } : {};
  const relay = asRelayRole(options.relayRole ?? RELAY_ROLE);
  const counts: Record<DeliveryOutcome | 'replayed', number> = {
    processed: 0,
    skipped: 0,
    duplicate: 0,
    dead_lettered: 0,
    parked: 0,
    rejected: 0,
    retry: 0,
    replayed: 0,
  };

  let cursor: EventCursor | undefined;
  let loop: Promise<void> | undefined;
  let stopping: AbortController | undefined;

  const upcast = (e: EventEnvelope): EventEnvelope => options.upcasters?.upcast(e) ?? e;

  const reject = async (delivery: Delivery, error: string): Promise<DeliveryOutcome> => {
    const envelope =
      delivery.raw ?? (delivery.envelope ? encodeEnvelope(delivery.envelope) : new Uint8Array());
    await db.transaction(
      (tx) =>
        tables.deadLetter(tx, {
          event: delivery.envelope,
          tenantId: undefined,
          envelope,
          reason: 'rejected',
          error,
          attempts: 0,
        }),
      relay,
    );
    logger.warn(
      { consumer: name, eventId: delivery.envelope?.eventId, error },
      'event rejected to the dead letters',
    );
    return 'rejected';
  };

  const wants = (event: EventEnvelope) => types === undefined || types.has(event.type);
  const effect = options.effect;

  /** `effect` for an event not handled yet, whose aggregate is not blocked: before its transaction. */
  const effectFirst = async (event: EventEnvelope): Promise<void> => {
    if (!effect) return;
    const current = upcast(event);
    if (!wants(current)) return;
    const due = await withTenant(
      db,
      { tenantId: event.tenantId },
      async (tx) => {
        const { lastVersion, blocked } = await tables.aggregate(tx, event);
        if (event.aggregateVersion > lastVersion + 1n) throw new GapError();
        return event.aggregateVersion > lastVersion && blocked === 0;
      },
      tenantOptions,
    );
    if (due) await effect(current);
  };

  /** One attempt; `failure` set: record the event as dead-lettered instead of handling it. */
  const attempt = async (
    event: EventEnvelope,
    raw: Uint8Array | undefined,
    failure?: { error: string; attempts: number },
  ): Promise<DeliveryOutcome> => {
    if (!failure) await effectFirst(event);
    return withTenant(
      db,
      { tenantId: event.tenantId },
      async (tx) => {
        if (!(await tables.claim(tx, event))) return 'duplicate';
        const { lastVersion, blocked } = await tables.aggregate(tx, event);
        if (event.aggregateVersion <= lastVersion) return 'duplicate';
        if (event.aggregateVersion > lastVersion + 1n) throw new GapError();
        if (failure || blocked > 0) {
          await tables.deadLetter(tx, {
            event,
            tenantId: event.tenantId,
            envelope: raw ?? encodeEnvelope(event),
            reason: failure ? 'failed' : 'parked',
            error: failure?.error ?? 'an earlier event of this aggregate is dead-lettered',
            attempts: failure?.attempts ?? 0,
          });
          await tables.advance(tx, event, 1);
          return failure ? 'dead_lettered' : 'parked';
        }
        const current = upcast(event);
        const wanted = wants(current);
        if (wanted) await handle(current, tx);
        await tables.advance(tx, event, 0);
        return wanted ? 'processed' : 'skipped';
      },
      tenantOptions,
    );
  };

  const processOne = async (delivery: Delivery): Promise<DeliveryOutcome> => {
    const event = delivery.envelope;
    if (!event) return reject(delivery, `malformed envelope: ${delivery.problem ?? 'undecodable'}`);
    try {
      assertValidTenantId(event.tenantId);
    } catch (error) {
      return reject(
        delivery,
        `tenant missing or malformed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (delivery.routedTenant !== undefined && delivery.routedTenant !== event.tenantId) {
      return reject(
        delivery,
        `tenant ${JSON.stringify(event.tenantId)} does not match the routed tenant ${JSON.stringify(delivery.routedTenant)}`,
      );
    }
    let lastError = '';
    for (let n = 1; n <= maxAttempts; n++) {
      try {
        return await attempt(event, delivery.raw);
      } catch (error) {
        if (error instanceof GapError) return 'retry';
        lastError = isAmeideError(error)
          ? `${error.code}: ${error.message}`
          : error instanceof Error
            ? error.message
            : String(error);
        logger.warn(
          { consumer: name, eventId: event.eventId, type: event.type, attempt: n, err: lastError },
          'event handler failed',
        );
        if (n < maxAttempts) await sleep(Math.min(maxBackoffMs, backoffMs * 2 ** (n - 1)));
      }
    }
    try {
      return await attempt(event, delivery.raw, { error: lastError, attempts: maxAttempts });
    } catch (error) {
      if (error instanceof GapError) return 'retry';
      throw error;
    }
  };

  const processBatch = async (
    batch: readonly Delivery[],
  ): Promise<Map<Delivery, DeliveryOutcome>> => {
    const groups = new Map<string, Delivery[]>();
    batch.forEach((d, i) => {
      const e = d.envelope;
      const key = e ? JSON.stringify([e.tenantId, e.aggregateType, e.aggregateId]) : `#${i}`;
      const group = groups.get(key);
      if (group) group.push(d);
      else groups.set(key, [d]);
    });
    const outcomes = new Map<Delivery, DeliveryOutcome>();
    const queue = [...groups.values()];
    const worker = async (): Promise<void> => {
      for (let group = queue.shift(); group; group = queue.shift()) {
        group.sort((a, b) =>
          Number((a.envelope?.aggregateVersion ?? 0n) - (b.envelope?.aggregateVersion ?? 0n)),
        );
        let retrying = false;
        for (const d of group) {
          const outcome: DeliveryOutcome = retrying ? 'retry' : await processOne(d);
          retrying ||= outcome === 'retry';
          outcomes.set(d, outcome);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
    return outcomes;
  };

  const runOnce = async (signal?: AbortSignal): Promise<readonly DeliveryOutcome[]> => {
    cursor ??= await options.transport.openCursor({ consumer: name, domain: options.domain });
    const batch = await cursor.next({ max: batchSize, waitMs, signal });
    if (batch.length === 0) return [];
    const outcomes = await processBatch(batch);
    await cursor.settle(
      batch,
      (d): Settlement => (outcomes.get(d) === 'retry' ? 'retry' : 'done'),
      gapRetryMs,
    );
    const list = batch.map((d) => outcomes.get(d)!);
    for (const o of list) counts[o]++;
    return list;
  };

  const replay = async (): Promise<{ replayed: number; failed: number }> => {
    const result = await replayRequested({
      db,
      schema: options.schema,
      consumer: name,
      handle: async (event, tx) => {
        const current = upcast(event);
        if (wants(current)) await handle(current, tx);
      },
      ...(effect
        ? {
            effect: async (event: EventEnvelope) => {
              const current = upcast(event);
              if (wants(current)) await effect(current);
            },
          }
        : {}),
      ...(options.appRole ? { appRole: options.appRole } : {}),
      ...(options.relayRole ? { relayRole: options.relayRole } : {}),
    });
    counts.replayed += result.replayed;
    return result;
  };

  return {
    start() {
      if (loop) return Promise.resolve();
      const controller = new AbortController();
      stopping = controller;
      loop = (async () => {
        let cycles = 0;
        while (!controller.signal.aborted) {
          try {
            if (cycles++ % 20 === 0) await replay();
            await runOnce(controller.signal);
          } catch (error) {
            logger.error(
              { consumer: name, err: error instanceof Error ? error.message : String(error) },
              'consumer batch failed; retrying',
            );
            await sleep(200);
          }
        }
      })();
      return Promise.resolve();
    },
    async stop() {
      stopping?.abort();
      await loop;
      loop = undefined;
      await cursor?.close();
      cursor = undefined;
    },
    runOnce: () => runOnce(),
    replayRequested: replay,
    stats: () => ({ ...counts }),
  };
}
