import { startRetention, type EventsLogger, type Retention } from '@ameide/events';
import type { Database } from '@ameide/persistence';

/** How long event rows are kept (each default: the events package's, 7 days; every hour). */
export interface RetentionSettings {
  readonly outboxRetentionMs?: number;
  readonly inboxRetentionMs?: number;
  readonly idempotencyRetentionMs?: number;
  readonly intervalMs?: number;
}

export interface EventRetentionOptions extends RetentionSettings {
  readonly db: Database;
  /** Schemas whose event tables are pruned. */
  readonly schemas: readonly string[];
  /** Relays that must have passed an event before it goes (per schema: the relay's domain). */
  readonly relays?: readonly string[];
  readonly logger?: EventsLogger;
}

/** Starts scheduled event retention. */
export function startEventRetention(options: EventRetentionOptions): Retention {
  const { db, schemas, relays, logger, ...settings } = options;
  return startRetention({
    db,
    schemas,
    ...settings,
    ...(logger ? { logger } : {}),
    // With a relay, nothing goes before it has published it, even
    // before its first checkpoint (e.g. while NATS is unreachable).
    ...(relays && relays.length > 0
      ? {
          requiredCheckpoints: Object.fromEntries(
            schemas.map((schema) => [schema, { relays: [...relays] }]),
          ),
        }
      : {}),
  });
}
