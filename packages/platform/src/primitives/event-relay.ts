import { createNatsTransport, createRelay, type EventsLogger, type Relay } from '@ameide/events';
import type { Database } from '@ameide/persistence';

export interface EventRelayOptions {
  /**
   * A connection of the relay's own: its lease is a session advisory lock, so a
   * Postgres pool must have one connection (PGlite has one anyway).
   */
  readonly db: Database;
  /** JetStream server(s), `nats://host:port`. */
  readonly natsUrl: string;
  /** Whose outbox it relays (default `sales`). */
  readonly domain?: string;
  /** Connection name on the NATS server. */
  readonly clientName?: string;
  readonly logger?: EventsLogger;
}

/** A relay publishing a domain's outbox to NATS JetStream. */
export interface RunningEventRelay {
  readonly relay: Relay;
  readonly domain: string;
  close(): Promise<void>;
}

/** Connects to NATS and starts relaying; stop with `close()`. */
export async function startEventRelay(options: EventRelayOptions): Promise<RunningEventRelay> {
  const domain = options.domain ?? 'sales';
  const nats = await createNatsTransport({
    servers: options.natsUrl,
    name: options.clientName ?? `ameide-relay-${domain}`,
  }).catch((err: unknown) => {
    throw new Error(`cannot connect to NATS at ${options.natsUrl}: ${(err as Error).message}`, {
      cause: err,
    });
  });
  const relay = createRelay({
    db: options.db,
    domain,
    publisher: nats.publisher!,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  relay.start();
  return {
    relay,
    domain,
    async close() {
      await relay.stop();
      await nats.close();
    },
  };
}
