// The composition root: the whole platform in one process, or one primitive per process.
export { createPlatform } from './create-platform.js';
export type {
  HostedDomain,
  Platform,
  PlatformOptions,
  PlatformParts,
  PlatformService,
} from './create-platform.js';
export { primitiveIdentity, servePrimitive, SERVABLE_PRIMITIVES } from './serve-primitive.js';
export type { ServablePrimitive, ServedPrimitive, ServeOptions } from './serve-primitive.js';
export type { DatabaseConfig } from './database/open-database.js';
export type { TemporalConfig } from './primitives/temporal.js';
export { DEFAULT_TASK_QUEUE } from './primitives/temporal.js';
export type { RetentionSettings } from './primitives/event-retention.js';
export type { StepReporter } from './step.js';
export { formatDuration } from './format-duration.js';
// Parts, for harnesses that assemble something in between.
export { openDatabase, redactUrl } from './database/open-database.js';
export type { OpenedDatabase } from './database/open-database.js';
export { migratePrimitives } from './database/migrate-primitives.js';
export type { SchemaOwner } from './database/migrate-primitives.js';
export { startProbeServer } from './probe-server.js';
export type { ProbeServer, ProbeServerOptions } from './probe-server.js';
