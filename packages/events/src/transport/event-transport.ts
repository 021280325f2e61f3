import type { EventEnvelope } from '../envelope/event-envelope.js';

/** Moves committed outbox rows to a broker (the relay's side of a transport). */
export interface EventPublisher {
  /**
   * Publishes the batch and resolves once the broker has durably accepted
   * every event. May publish an event again after a crash: the broker dedupes
   * by event id within its window, consumers' inboxes beyond it.
   */
  publish(events: readonly EventEnvelope[]): Promise<PublishResult>;
}

/** What a publish call did. */
export interface PublishResult {
  readonly published: number;
  /** Events the broker already had (dropped by its duplicate window). */
  readonly duplicates: number;
}

/** One event handed to a consumer. */
export interface Delivery {
  /** Undefined when the bytes are not a well-formed envelope (see `problem`). */
  readonly envelope: EventEnvelope | undefined;
  /** Why `envelope` is missing. */
  readonly problem: string | undefined;
  /** The envelope as received (proto binary), kept in dead letters. Undefined when the transport holds decoded rows. */
  readonly raw: Uint8Array | undefined;
  /** The tenant the transport filed the event under (NATS subject), checked against the envelope's. */
  readonly routedTenant: string | undefined;
}

/** How a consumer finished with a delivery. */
export type Settlement = 'done' | 'retry';

/**
 * One consumer's durable place in a domain's events. Deliveries are
 * at-least-once; the consumer runtime makes their effects idempotent.
 */
export interface EventCursor {
  /** Up to `max` deliveries after the durable position; waits up to `waitMs` for the first. */
  next(options: {
    readonly max: number;
    readonly waitMs: number;
    readonly signal?: AbortSignal | undefined;
  }): Promise<readonly Delivery[]>;
  /**
   * Reports how every delivery of the last batch ended: `done` may be
   * forgotten, `retry` must come again later (after `retryDelayMs`).
   */
  settle(
    batch: readonly Delivery[],
    outcome: (delivery: Delivery) => Settlement,
    retryDelayMs: number,
  ): Promise<void>;
  close(): Promise<void>;
}

/** Which consumer, reading which domain's events. */
export interface CursorOptions {
  /** Durable name: `[A-Za-z0-9_-]`, unique per consumer. */
  readonly consumer: string;
  readonly domain: string;
}

/**
 * Carries a domain's events from its outbox to consumers. `publisher` is set
 * when a relay must move outbox rows to a broker (NATS, Kafka); the Postgres
 * transport has none, its consumers read the outbox itself.
 */
export interface EventTransport {
  readonly kind: 'postgres' | 'nats' | 'kafka';
  readonly publisher: EventPublisher | undefined;
  openCursor(options: CursorOptions): Promise<EventCursor>;
  close(): Promise<void>;
}
