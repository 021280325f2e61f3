import { createRelay, type EventTransport, type EventsLogger } from '@ameide/events';
import type { Database } from '@ameide/persistence';
import { startEventRelay } from './event-relay.js';

/** A Kafka transport with its topic naming (what `createKafkaTransport` returns). */
export type KafkaLogTransport = EventTransport & { topicOf(domain: string): string };

/** Where one database's logs are relayed to. */
export interface LogRelayTargets {
  /** NATS JetStream: these domains' outboxes (cross-domain events). */
  readonly nats?: { readonly url: string; readonly domains: readonly string[] };
  /** Kafka: these logs (analytics and replay), under relay names `<domain>-kafka`. */
  readonly kafka?: { readonly transport: KafkaLogTransport; readonly logs: readonly string[] };
}

/** A relay that runs until `close()`. */
export interface RunningLogRelay {
  /** What it relays, for progress output: `sales outbox → nats://…`. */
  readonly description: string;
  close(): Promise<void>;
}

/**
 * One relay per log and target, each on a connection of its own (a relay's lease is a session
 * advisory lock): `connection()` gives one; a connection that is not `shared` is closed with
 * its relay. Used for the platform database and for each tenant database of its own, whose
 * logs hold that tenant's events only.
 */
export function logRelays(
  options: LogRelayTargets & {
    readonly connection: () => Database;
    /** The pooled database itself (PGlite has one connection): never closed here. */
    readonly shared?: Database;
    /** Shown on the NATS server: `<clientTag>-<domain>`. */
    readonly clientTag: string;
    readonly logger?: EventsLogger;
  },
): {
  readonly target: 'nats' | 'kafka';
  readonly description: string;
  start(): Promise<RunningLogRelay>;
}[] {
  const own = (relayDb: Database) => async () => {
    if (relayDb !== options.shared) await relayDb.close();
  };
  const nats = options.nats;
  const kafka = options.kafka;
  return [
    ...(nats?.domains ?? []).map((domain) => {
      const description = `${domain} outbox → ${nats!.url}`;
      return {
        target: 'nats' as const,
        description,
        async start(): Promise<RunningLogRelay> {
          const relayDb = options.connection();
          const release = own(relayDb);
          try {
            const relay = await startEventRelay({
              db: relayDb,
              natsUrl: nats!.url,
              domain,
              clientName: `${options.clientTag}-${domain}`,
              ...(options.logger ? { logger: options.logger } : {}),
            });
            return {
              description,
              async close() {
                await relay.close();
                await release();
              },
            };
          } catch (err) {
            await release();
            throw err;
          }
        },
      };
    }),
    ...(kafka?.logs ?? []).map((domain) => {
      const description = `${domain} log → Kafka topic ${kafka!.transport.topicOf(domain)}`;
      return {
        target: 'kafka' as const,
        description,
        start(): Promise<RunningLogRelay> {
          const relayDb = options.connection();
          const relay = createRelay({
            db: relayDb,
            domain,
            name: `${domain}-kafka`,
            publisher: kafka!.transport.publisher!,
            ...(options.logger ? { logger: options.logger } : {}),
          });
          relay.start();
          const release = own(relayDb);
          return Promise.resolve({
            description,
            async close() {
              await relay.stop();
              await release();
            },
          });
        },
      };
    }),
  ];
}
