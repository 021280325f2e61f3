// Local server launchers: what the CLI's embedded mode and the test setup share.
export { startTemporalDevServer } from './temporal-dev-server.js';
export type { TemporalDevServer, TemporalDevServerOptions } from './temporal-dev-server.js';
export {
  findVersitygwBinary,
  startVersitygw,
  versitygwCacheDir,
  VERSITYGW_DEFAULT_REGION,
  VERSITYGW_VERSION,
} from './versitygw.js';
export type { Versitygw, VersitygwOptions } from './versitygw.js';
export {
  findJavaBinary,
  findKafkaLibs,
  kafkaCacheDir,
  KAFKA_VERSION,
  startKafka,
} from './kafka.js';
export type { Kafka, KafkaOptions } from './kafka.js';
export { findNatsServerBinary, startNatsServer } from './nats-server.js';
export type { NatsServer, NatsServerOptions } from './nats-server.js';
export { findBinary } from './find-binary.js';
export type { FindBinaryOptions } from './find-binary.js';
export { findFreePort } from './find-free-port.js';
export { acceptsConnections } from './accepts-connections.js';
export { tailOutput } from './tail-output.js';
export type { OutputTail } from './tail-output.js';
export { waitUntilReady } from './wait-until-ready.js';
export type { WaitUntilReadyOptions } from './wait-until-ready.js';
export { hasExited, terminate } from './terminate.js';
export type { TerminateOptions } from './terminate.js';
export { findKeycloakHome, keycloakCacheDir, KEYCLOAK_VERSION, startKeycloak } from './keycloak.js';
export type { Keycloak, KeycloakOptions } from './keycloak.js';
