// Users' symbols first: envelope, unit of work, relay, transports, consumers.
export { newEventId, parseEventType } from './envelope/event-envelope.js';
export type { EventEnvelope, JsonValue, ParsedEventType } from './envelope/event-envelope.js';
export {
  decodeEnvelope,
  encodeEnvelope,
  envelopeFromProto,
  envelopeToProto,
} from './envelope/envelope-codec.js';
export { createUpcasterChain } from './envelope/upcasters.js';
export type { Upcaster, UpcasterChain } from './envelope/upcasters.js';

export { createUnitOfWork } from './unit-of-work/unit-of-work.js';
export type {
  AggregateStore,
  CommandContext,
  Committed,
  DecideFn,
  Decision,
  ExecuteOptions,
  LoadedAggregate,
  NewEvent,
  UnitOfWork,
  UnitOfWorkOptions,
} from './unit-of-work/unit-of-work.js';

export { createRelay } from './relay/relay.js';
export type { Relay, RelayCycle, RelayOptions, RelayStatus } from './relay/relay.js';

export { createNatsTransport } from './transport/nats-transport.js';
export type { NatsTransportOptions } from './transport/nats-transport.js';
export { createKafkaTransport, KAFKA_HEADERS, kafkaGroupId } from './transport/kafka-transport.js';
export type { KafkaTransportOptions } from './transport/kafka-transport.js';
export { tenantPartition } from './transport/kafka-partition.js';
export { createPostgresTransport } from './transport/postgres-transport.js';
export type { PostgresTransportOptions } from './transport/postgres-transport.js';
export type {
  CursorOptions,
  Delivery,
  EventCursor,
  EventPublisher,
  EventTransport,
  PublishResult,
  Settlement,
} from './transport/event-transport.js';
export { eventSubject, tenantOfSubject } from './transport/nats-subject.js';

export { createConsumer } from './consumers/consumer.js';
export type {
  Consumer,
  ConsumerOptions,
  ConsumerStats,
  DeliveryOutcome,
  EventHandler,
} from './consumers/consumer.js';
export { listDeadLetters, replayRequested, requestReplay } from './consumers/dead-letters.js';
export type { DeadLetter, DeadLetterScope, ReplayOptions } from './consumers/dead-letters.js';

// For domains' migrations and operator tools.
export { eventTablesMigration } from './schema/event-tables.js';
export {
  claimIdempotencyKey,
  DEFAULT_IDEMPOTENCY_RETENTION_MS,
  IDEMPOTENCY_KEY_HEADER,
  idempotencyOf,
  idempotencyOfCall,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  pruneIdempotencyKeys,
  recordReply,
} from './idempotency/idempotency-key.js';
export type { Claim, Idempotency } from './idempotency/idempotency-key.js';
export { idempotencyTablesMigration } from './idempotency/idempotency-tables.js';
export type { IdempotencyTablesOptions } from './idempotency/idempotency-tables.js';
export { decodeReply, encodeReply } from './idempotency/reply-codec.js';
export type { EventTablesOptions } from './schema/event-tables.js';
export { asRelayRole, ensureRelayRole, RELAY_ROLE } from './schema/relay-role.js';
export {
  appendToOutbox,
  countHeldBack,
  countReadable,
  outboxInsert,
  readOutbox,
} from './outbox/outbox-rows.js';
export { hasRetentionTables } from './retention/pruned-through.js';
export {
  appendToStream,
  readHistory,
  readStream,
  readStreamVersion,
} from './outbox/event-stream.js';
export type {
  HistoryEvent,
  NewStreamEvent,
  StreamMetadata,
  StreamRef,
} from './outbox/event-stream.js';
export { eventHistoryMigration, HISTORY_TRIGGER, isEventHistory } from './schema/event-history.js';
export { outboxChannel } from './outbox/outbox-channel.js';
export type { LoggedEvent, SqlStatement } from './outbox/outbox-rows.js';
export { comparePositions, formatPosition, LOG_START, parsePosition } from './outbox/position.js';
export type { LogPosition } from './outbox/position.js';
export { eventRetentionMigration } from './schema/event-retention.js';
export {
  DEFAULT_INBOX_RETENTION_MS,
  DEFAULT_OUTBOX_RETENTION_MS,
  pruneEventTables,
} from './retention/prune-event-tables.js';
export type {
  Checkpoint,
  PruneOptions,
  PruneResult,
  RequiredCheckpoints,
} from './retention/prune-event-tables.js';
export { DEFAULT_RETENTION_INTERVAL_MS, startRetention } from './retention/start-retention.js';
export type { Retention, RetentionOptions } from './retention/start-retention.js';
export { eventServiceRoutes } from './service/event-service.js';
export type { EventServiceOptions } from './service/event-service.js';
export { silentLogger } from './logger.js';
export type { EventsLogger } from './logger.js';
