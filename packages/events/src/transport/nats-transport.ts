import { setTimeout as sleep } from 'node:timers/promises';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { AmeideError } from '@ameide/errors';
import { decodeEnvelope, encodeEnvelope } from '../envelope/envelope-codec.js';
import type { EventEnvelope } from '../envelope/event-envelope.js';
import type {
  CursorOptions,
  Delivery,
  EventCursor,
  EventTransport,
  PublishResult,
} from './event-transport.js';
import { eventSubject, tenantOfSubject } from './nats-subject.js';

/** Options of {@link createNatsTransport}. */
export interface NatsTransportOptions {
  /** `nats://host:port` (one or several). */
  readonly servers: string | readonly string[];
  /** Stream holding the events. Default `EVENTS`. */
  readonly stream?: string;
  /** First subject token. Default `events` (subjects `events.{tenant}.{domain}.{type}`). */
  readonly subjectPrefix?: string;
  /** Publishes dedupe by event id within this window. Default 2 minutes. */
  readonly duplicateWindowMs?: number;
  /** Limits retention: events older than this are dropped. Default 7 days. */
  readonly maxAgeMs?: number;
  /** Unacknowledged deliveries come again after this. Default 30 s. */
  readonly ackWaitMs?: number;
  /** Publishes awaiting their ack at once. Default 256. */
  readonly maxPublishInFlight?: number;
  /** Connection name shown by the server. */
  readonly name?: string;
}

const NANOS_PER_MS = 1_000_000;
const CONSUMER_NAME = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * NATS JetStream transport: one stream (file storage, limits retention,
 * duplicate window), subjects `events.{tenant}.{domain}.{type}`, the envelope
 * as proto binary with `msgID` = event id. Publishes run many in flight and
 * the batch resolves only when every ack is in. Consumers are durable pull
 * consumers with explicit acks, filtered to one domain.
 */
export async function createNatsTransport(
  options: NatsTransportOptions,
): Promise<EventTransport & { readonly connection: NatsConnection }> {
  const stream = options.stream ?? 'EVENTS';
  const prefix = options.subjectPrefix ?? 'events';
  const inFlight = options.maxPublishInFlight ?? 256;
  const nc = await connect({
    servers: typeof options.servers === 'string' ? options.servers : [...options.servers],
    ...(options.name ? { name: options.name } : {}),
    maxReconnectAttempts: -1,
  });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  await ensureStream(jsm, stream, prefix, options);

  const publishOne = async (e: EventEnvelope): Promise<boolean> => {
    const ack = await js.publish(eventSubject(prefix, e), encodeEnvelope(e), {
      msgID: e.eventId,
      expect: { streamName: stream },
    });
    return ack.duplicate;
  };

  return {
    kind: 'nats',
    connection: nc,
    publisher: {
      async publish(events): Promise<PublishResult> {
        let duplicates = 0;
        // Many in flight, all awaited: the relay only checkpoints past events the stream has stored.
        for (let i = 0; i < events.length; i += inFlight) {
          const acks = await Promise.all(events.slice(i, i + inFlight).map(publishOne));
          duplicates += acks.filter(Boolean).length;
        }
        return { published: events.length - duplicates, duplicates };
      },
    },
    openCursor: (cursor) =>
      openCursor(js, jsm, stream, prefix, cursor, options.ackWaitMs ?? 30_000),
    async close() {
      await nc.drain().catch(() => nc.close());
    },
  };
}

async function ensureStream(
  jsm: JetStreamManager,
  stream: string,
  prefix: string,
  options: NatsTransportOptions,
): Promise<void> {
  const config = {
    name: stream,
    subjects: [`${prefix}.>`],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    duplicate_window: (options.duplicateWindowMs ?? 120_000) * NANOS_PER_MS,
    max_age: (options.maxAgeMs ?? 7 * 24 * 3_600_000) * NANOS_PER_MS,
  };
  try {
    await jsm.streams.info(stream);
  } catch (error) {
    if (!(error instanceof JetStreamApiError) || error.status !== 404) throw error;
    try {
      await jsm.streams.add(config);
    } catch (addError) {
      // Another process created it in between.
      if (!(addError instanceof JetStreamApiError) || addError.status !== 400) throw addError;
      await jsm.streams.info(stream);
    }
  }
}

interface NatsDelivery extends Delivery {
  readonly message: JsMsg;
}

async function openCursor(
  js: JetStreamClient,
  jsm: JetStreamManager,
  stream: string,
  prefix: string,
  cursor: CursorOptions,
  ackWaitMs: number,
): Promise<EventCursor> {
  if (!CONSUMER_NAME.test(cursor.consumer)) {
    throw AmeideError.invalidArgument('consumer name must match [A-Za-z0-9_-]{1,100}', [
      { field: 'consumer', description: cursor.consumer },
    ]);
  }
  // Idempotent: re-adding a durable consumer with the same config is a no-op.
  await jsm.consumers.add(stream, {
    durable_name: cursor.consumer,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: `${prefix}.*.${cursor.domain}.>`,
    ack_wait: ackWaitMs * NANOS_PER_MS,
    max_deliver: -1,
    max_ack_pending: 10_000,
  });
  const consumer = await js.consumers.get(stream, cursor.consumer);
  const queue: JsMsg[] = [];
  let wake: (() => void) | undefined;
  let messages: ConsumerMessages | undefined;
  let closed = false;
  const pump = async (): Promise<void> => {
    while (!closed) {
      try {
        messages = await consumer.consume({ max_messages: 512 });
        for await (const m of messages) {
          queue.push(m);
          wake?.();
        }
      } catch {
        // Connection trouble: the server redelivers whatever was not acked.
        if (!closed) await sleep(200);
      }
    }
  };
  void pump();

  const toDelivery = (message: JsMsg): NatsDelivery => {
    const routedTenant = tenantOfSubject(prefix, message.subject);
    try {
      return {
        message,
        envelope: decodeEnvelope(message.data),
        problem: undefined,
        raw: message.data,
        routedTenant,
      };
    } catch (error) {
      return {
        message,
        envelope: undefined,
        problem: error instanceof Error ? error.message : String(error),
        raw: message.data,
        routedTenant,
      };
    }
  };

  return {
    async next({ max, waitMs, signal }) {
      if (queue.length === 0 && !closed) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', done);
            wake = undefined;
            resolve();
          };
          const timer = setTimeout(done, waitMs);
          wake = done;
          signal?.addEventListener('abort', done, { once: true });
        });
      }
      return queue.splice(0, max).map(toDelivery);
    },
    async settle(batch, outcome, retryDelayMs) {
      for (const d of batch as readonly NatsDelivery[]) {
        if (outcome(d) === 'done') d.message.ack();
        else d.message.nak(retryDelayMs);
      }
      return Promise.resolve();
    },
    async close() {
      closed = true;
      wake?.();
      await messages?.close();
    },
  };
}
