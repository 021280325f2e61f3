import { setTimeout as sleep } from 'node:timers/promises';
// Types only (erased): kafkajs is imported when a transport is created, so a platform without
// Kafka never loads it.
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, LogEntry, Producer } from 'kafkajs';
import { AmeideError } from '@ameide/errors';
import { decodeEnvelope, encodeEnvelope } from '../envelope/envelope-codec.js';
import type { EventEnvelope } from '../envelope/event-envelope.js';
import { silentLogger, type EventsLogger } from '../logger.js';
import type {
  CursorOptions,
  Delivery,
  EventCursor,
  EventTransport,
  PublishResult,
  Settlement,
} from './event-transport.js';
import { tenantPartition } from './kafka-partition.js';

/** Options of {@link createKafkaTransport}. */
export interface KafkaTransportOptions {
  /** Bootstrap brokers, `host:port` (one or several). */
  readonly brokers: string | readonly string[];
  /** Client id shown by the broker. Default `ameide`. */
  readonly clientId?: string;
  /** Topics are `<topicPrefix>.<domain>`. Default `analytics`. */
  readonly topicPrefix?: string;
  /** Partitions of the topics this transport creates. Default 6. */
  readonly partitions?: number;
  /** `retention.ms` of the topics it creates. Default -1 (kept for ever: the topics are for replay). */
  readonly retentionMs?: number;
  /** Prepended to consumer names to make consumer group ids (e.g. one prefix per test file). Default none. */
  readonly groupIdPrefix?: string;
  /** Deliveries handed out but not settled within this come again. Default 30 s. */
  readonly ackWaitMs?: number;
  /**
   * Longest pause between the client's retries while a broker is unreachable (kafkajs backs
   * off exponentially up to it). The producer retries a batch until the broker is back; a
   * consumer restarts itself. Default 30 s.
   */
  readonly maxRetryTimeMs?: number;
  /** How long creating the transport keeps trying to reach the brokers. Default 60 s. */
  readonly connectTimeoutMs?: number;
  /**
   * A publish not stored within this fails (`unavailable`) and its producer is replaced; the
   * relay publishes the batch again. Default 60 s.
   */
  readonly publishTimeoutMs?: number;
  /** Where the client's own warnings and errors go. Default: nowhere. */
  readonly logger?: EventsLogger;
}

/** The consumer group of a cursor: `<groupIdPrefix><consumer>.<domain>`. */
export function kafkaGroupId(prefix: string | undefined, consumer: string, domain: string): string {
  return `${prefix ?? ''}${consumer}.${domain}`;
}

/** Headers every message carries (the value is the proto envelope). */
export const KAFKA_HEADERS = {
  eventId: 'ameide-event-id',
  eventType: 'ameide-event-type',
  tenant: 'ameide-tenant',
} as const;

const CONSUMER_NAME = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * Kafka transport for analytics and replay: a topic per domain (`analytics.<domain>`, created
 * with `partitions` partitions when missing), the partition chosen by a stable hash of the
 * tenant ({@link tenantPartition}) so each tenant's events keep their order, key = tenant,
 * value = the proto envelope, headers with event id, type and tenant.
 *
 * The publisher (fed by the relay) is an idempotent producer with `acks: all`: a batch
 * resolves once every partition leader has stored it, and the broker drops the copies the
 * producer's own retries would have written. Kafka has no window that recognises an event id
 * published again (NATS's `msgID`), so a batch the relay publishes again after a crash is
 * stored twice and `duplicates` is always 0: consumers' inboxes drop the second copy.
 *
 * A cursor is a consumer group named after the consumer and the domain (`groupIdPrefix` +
 * `<name>.<domain>`). A group
 * that has no committed offsets starts at the earliest offset of the topic, so a cursor
 * opened with a consumer name never used before reads the domain's whole retained history:
 * that is how a projection is rebuilt from Kafka. Offsets are committed only past deliveries
 * settled `done` (per partition, up to the first one that is not); a `retry` is fetched again,
 * with everything after it in its partition, after `retryDelayMs`.
 */
export async function createKafkaTransport(
  options: KafkaTransportOptions,
): Promise<EventTransport & { readonly kafka: Kafka; topicOf(domain: string): string }> {
  const prefix = options.topicPrefix ?? 'analytics';
  const partitions = options.partitions ?? 6;
  if (!Number.isInteger(partitions) || partitions < 1)
    throw AmeideError.invalidArgument('partitions must be a positive integer', [
      { field: 'partitions', description: String(partitions) },
    ]);
  const logger = options.logger ?? silentLogger;
  const publishTimeoutMs = options.publishTimeoutMs ?? 60_000;
  const { Kafka, logLevel, Partitioners } = await import('kafkajs');
  const kafka = new Kafka({
    clientId: options.clientId ?? 'ameide',
    brokers: typeof options.brokers === 'string' ? [options.brokers] : [...options.brokers],
    retry: { initialRetryTime: 200, maxRetryTime: options.maxRetryTimeMs ?? 30_000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...details } = log;
        if (level <= logLevel.ERROR) logger.error({ kafka: true, ...details }, message);
        else logger.warn({ kafka: true, ...details }, message);
      },
  });
  const admin = kafka.admin();
  // A process may start before its broker (the test broker starts in the background, a
  // deployment's may still be coming up): connecting is retried for connectTimeoutMs.
  const connectDeadline = Date.now() + (options.connectTimeoutMs ?? 60_000);
  for (;;) {
    try {
      await admin.connect();
      break;
    } catch (error) {
      if (Date.now() > connectDeadline) throw error;
      await sleep(500);
    }
  }
  const topicOf = (domain: string): string => `${prefix}.${domain}`;

  const topics = new Map<string, Promise<number>>();
  /** Creates the topic when missing; resolves to its partition count. */
  const ensureTopic = (topic: string): Promise<number> => {
    let known = topics.get(topic);
    if (!known) {
      known = (async () => {
        await admin.createTopics({
          waitForLeaders: true,
          topics: [
            {
              topic,
              numPartitions: partitions,
              replicationFactor: 1,
              configEntries: [{ name: 'retention.ms', value: String(options.retentionMs ?? -1) }],
            },
          ],
        });
        // It may have existed with another count: hash over the count it has.
        const { topics: meta } = await admin.fetchTopicMetadata({ topics: [topic] });
        const count = meta[0]?.partitions.length ?? 0;
        if (count < 1) throw new Error(`topic ${topic} has no partitions`);
        return count;
      })();
      topics.set(topic, known);
      known.catch(() => topics.delete(topic));
    }
    return known;
  };

  let producer: Promise<Producer> | undefined;
  const connectedProducer = (): Promise<Producer> => {
    if (!producer) {
      const p = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 5,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      producer = p.connect().then(() => p);
      producer.catch(() => (producer = undefined));
    }
    return producer;
  };

  const cursors = new Set<EventCursor>();
  return {
    kind: 'kafka',
    kafka,
    topicOf,
    publisher: {
      async publish(events): Promise<PublishResult> {
        if (events.length === 0) return { published: 0, duplicates: 0 };
        const byTopic = new Map<string, EventEnvelope[]>();
        for (const e of events) {
          const topic = topicOf(e.domain);
          const list = byTopic.get(topic);
          if (list) list.push(e);
          else byTopic.set(topic, [e]);
        }
        const topicMessages = await Promise.all(
          [...byTopic].map(async ([topic, list]) => {
            const count = await ensureTopic(topic);
            return { topic, messages: list.map((e) => toMessage(e, count)) };
          }),
        );
        // One request per partition leader, in order within each partition.
        const current = connectedProducer();
        const sent = (await current).sendBatch({ acks: -1, topicMessages });
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<'timeout'>(
          (resolve) => (timer = setTimeout(() => resolve('timeout'), publishTimeoutMs)),
        );
        // A failed send leaves its producer unusable: after a broker restart kafkajs's
        // idempotent producer answers every later send with OUT_OF_ORDER_SEQUENCE_NUMBER, and
        // a stuck one retries without end. Either way the producer is replaced (a new producer
        // id starts new sequences) and the relay publishes the batch again on the fresh one;
        // a copy the old one still writes is dropped by the inbox.
        const replace = async (): Promise<void> => {
          if (producer === current) producer = undefined;
          await (await current).disconnect().catch(() => undefined);
        };
        try {
          if ((await Promise.race([sent, timedOut])) === 'timeout') {
            sent.catch(() => undefined);
            void replace();
            throw new AmeideError(
              'unavailable',
              `kafka did not store the batch within ${publishTimeoutMs} ms`,
            );
          }
        } catch (error) {
          if (!(error instanceof AmeideError)) await replace();
          throw error;
        } finally {
          clearTimeout(timer);
        }
        return { published: events.length, duplicates: 0 };
      },
    },
    async openCursor(cursor) {
      if (!CONSUMER_NAME.test(cursor.consumer)) {
        throw AmeideError.invalidArgument('consumer name must match [A-Za-z0-9_-]{1,100}', [
          { field: 'consumer', description: cursor.consumer },
        ]);
      }
      const topic = topicOf(cursor.domain);
      const count = await ensureTopic(topic);
      const opened = await openKafkaCursor(kafka, topic, count, cursor, {
        // One group per (consumer, domain), as the Postgres transport keeps one position per
        // consumer in each domain's schema: a consumer of two domains (a projection with two
        // sources) must not share one group across two topics.
        groupId: kafkaGroupId(options.groupIdPrefix, cursor.consumer, cursor.domain),
        ackWaitMs: options.ackWaitMs ?? 30_000,
        logger,
      });
      cursors.add(opened);
      return {
        next: (o) => opened.next(o),
        settle: (b, o, r) => opened.settle(b, o, r),
        close: () => {
          cursors.delete(opened);
          return opened.close();
        },
      };
    },
    async close() {
      for (const c of [...cursors]) await c.close();
      await (await producer?.catch(() => undefined))?.disconnect();
      await admin.disconnect();
    },
  };
}

function toMessage(e: EventEnvelope, partitions: number) {
  return {
    key: e.tenantId,
    value: Buffer.from(encodeEnvelope(e)),
    partition: tenantPartition(e.tenantId, partitions),
    headers: {
      [KAFKA_HEADERS.eventId]: e.eventId,
      [KAFKA_HEADERS.eventType]: e.type,
      [KAFKA_HEADERS.tenant]: e.tenantId,
    },
  };
}

/** One `eachBatch` call: a partition's fetched messages, held until all are settled. */
interface Run {
  readonly partition: number;
  readonly entries: KafkaDelivery[];
  settled: number;
  /** Entries before this index are settled `done` and committed. */
  donePrefix: number;
  retryDelayMs: number;
  finished: boolean;
  readonly finish: () => void;
  readonly done: Promise<void>;
}

interface KafkaDelivery extends Delivery {
  readonly run: Run;
  readonly offset: bigint;
  outcome: Settlement | undefined;
  deliveredAt: number;
}

interface KafkaCursorOptions {
  readonly groupId: string;
  readonly ackWaitMs: number;
  readonly logger: EventsLogger;
}

async function openKafkaCursor(
  kafka: Kafka,
  topic: string,
  partitions: number,
  cursor: CursorOptions,
  options: KafkaCursorOptions,
): Promise<EventCursor> {
  const { logger, ackWaitMs } = options;
  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 250,
    heartbeatInterval: 1_000,
  });
  const queue: KafkaDelivery[] = [];
  const runs = new Set<Run>();
  const outstanding = new Set<KafkaDelivery>();
  /** Highest offset this cursor committed per partition (commits never move back). */
  const committed = new Map<number, bigint>();
  let wake: (() => void) | undefined;
  let closed = false;
  /** Set when the client gave up for good (it restarts itself after retriable errors). */
  let crashed: Error | undefined;
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    const detail = { topic, group: options.groupId, err: payload.error.message };
    if (payload.restart) {
      logger.warn(detail, 'kafka consumer failed; it restarts from the committed offsets');
      return;
    }
    crashed = payload.error;
    logger.error(detail, 'kafka consumer stopped for good; the cursor fails until reopened');
    wake?.();
  });

  const commit = async (touched: Iterable<Run>): Promise<void> => {
    const offsets: { topic: string; partition: number; offset: string }[] = [];
    for (const run of touched) {
      const start = run.donePrefix;
      while (run.donePrefix < run.entries.length && run.entries[run.donePrefix]!.outcome === 'done')
        run.donePrefix++;
      if (run.donePrefix === start) continue;
      // Kafka's committed offset is the next one to read.
      const next = run.entries[run.donePrefix - 1]!.offset + 1n;
      if (next <= (committed.get(run.partition) ?? -1n)) continue;
      committed.set(run.partition, next);
      offsets.push({ topic, partition: run.partition, offset: next.toString() });
    }
    if (offsets.length === 0) return;
    try {
      await consumer.commitOffsets(offsets);
    } catch (error) {
      // A rebalance or a broker restart in between: the next member reads from the last
      // committed offset again, and the inbox drops what it had already handled.
      logger.warn(
        {
          topic,
          group: options.groupId,
          err: error instanceof Error ? error.message : String(error),
        },
        'kafka offset commit failed; the events will be delivered again',
      );
    }
  };

  const finishSettled = (touched: Iterable<Run>): void => {
    for (const run of touched) if (run.settled === run.entries.length) run.finish();
  };

  // Deliveries handed out and never settled (a consumer that failed mid-batch) come again.
  const expiry = setInterval(
    () => {
      const now = Date.now();
      const touched = new Set<Run>();
      for (const d of outstanding) {
        if (now - d.deliveredAt < ackWaitMs) continue;
        outstanding.delete(d);
        d.outcome = 'retry';
        d.run.settled++;
        touched.add(d.run);
      }
      finishSettled(touched);
    },
    Math.max(50, Math.min(1_000, ackWaitMs / 4)),
  );
  expiry.unref();

  const eachBatch = async (payload: EachBatchPayload): Promise<void> => {
    const { batch } = payload;
    if (closed || batch.messages.length === 0) return;
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const run: Run = {
      partition: batch.partition,
      entries: [],
      settled: 0,
      donePrefix: 0,
      retryDelayMs: 0,
      finished: false,
      finish: () => {
        if (run.finished) return;
        run.finished = true;
        runs.delete(run);
        for (const d of run.entries) outstanding.delete(d);
        finish();
      },
      done,
    };
    for (const m of batch.messages) run.entries.push(toDelivery(run, m));
    runs.add(run);
    queue.push(...run.entries);
    wake?.();
    // Held until the consumer settled every delivery: the group must not think it died.
    const beat = setInterval(() => void payload.heartbeat().catch(() => undefined), 1_000);
    try {
      await run.done;
    } finally {
      clearInterval(beat);
    }
    if (closed) return;
    // Not yet handed out (expired, or the cursor is closing): not in the queue any longer.
    for (let i = queue.length - 1; i >= 0; i--) if (queue[i]!.run === run) queue.splice(i, 1);
    // The next fetch of this partition starts after the done prefix: at the first retry.
    if (run.donePrefix > 0)
      payload.resolveOffset(run.entries[run.donePrefix - 1]!.offset.toString());
    if (run.donePrefix < run.entries.length && run.retryDelayMs > 0) await sleep(run.retryDelayMs);
  };

  await consumer.connect();
  try {
    // A group with no committed offset (a consumer name never used) starts at the beginning.
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: partitions,
      eachBatch,
    });
  } catch (error) {
    clearInterval(expiry);
    await consumer.disconnect().catch(() => undefined);
    throw error;
  }

  return {
    async next({ max, waitMs, signal }) {
      if (crashed && queue.length === 0)
        throw new AmeideError('unavailable', `kafka consumer stopped: ${crashed.message}`);
      if (queue.length === 0 && !closed) {
        await new Promise<void>((resolve) => {
          const stop = (): void => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', stop);
            wake = undefined;
            resolve();
          };
          const timer = setTimeout(stop, waitMs);
          wake = stop;
          signal?.addEventListener('abort', stop, { once: true });
        });
      }
      const now = Date.now();
      const handed = queue.splice(0, max);
      for (const d of handed) {
        d.deliveredAt = now;
        outstanding.add(d);
      }
      return handed;
    },
    async settle(batch, outcome, retryDelayMs) {
      const touched = new Set<Run>();
      for (const d of batch as readonly KafkaDelivery[]) {
        if (d.run.finished || d.outcome !== undefined) continue;
        d.outcome = outcome(d);
        outstanding.delete(d);
        d.run.settled++;
        if (d.outcome === 'retry') d.run.retryDelayMs = Math.max(d.run.retryDelayMs, retryDelayMs);
        touched.add(d.run);
      }
      await commit(touched);
      finishSettled(touched);
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(expiry);
      wake?.();
      queue.length = 0;
      // Unsettled deliveries are not committed: the group's next member gets them again.
      for (const run of [...runs]) run.finish();
      await consumer.disconnect();
    },
  };
}

function toDelivery(run: Run, m: KafkaMessage): KafkaDelivery {
  const raw = m.value
    ? new Uint8Array(m.value.buffer, m.value.byteOffset, m.value.byteLength)
    : new Uint8Array();
  const tenant = m.headers?.[KAFKA_HEADERS.tenant];
  const routedTenant =
    tenant === undefined
      ? undefined
      : Array.isArray(tenant)
        ? String(tenant[0])
        : tenant.toString();
  const base = {
    run,
    offset: BigInt(m.offset),
    outcome: undefined,
    deliveredAt: 0,
    raw,
    routedTenant,
  };
  try {
    return { ...base, envelope: decodeEnvelope(raw), problem: undefined };
  } catch (error) {
    return {
      ...base,
      envelope: undefined,
      problem: error instanceof Error ? error.message : String(error),
    };
  }
}
