import { quoteIdentifier } from '@ameide/persistence';

/** Longest channel name Postgres accepts (NAMEDATALEN - 1 bytes). */
const MAX_CHANNEL_LENGTH = 63;

/**
 * The channel a committed outbox write of `schema` notifies, and its relay
 * listens on: `ameide_outbox_<schema>`, cut to 63 bytes (two long schemas
 * that then share a channel only wake each other's relay for nothing).
 */
export function outboxChannel(schema: string): string {
  quoteIdentifier(schema, 'schema');
  return `ameide_outbox_${schema}`.slice(0, MAX_CHANNEL_LENGTH);
}
