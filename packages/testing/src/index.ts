export { createTestDatabase } from './test-database.js';
export type { TestDatabase } from './test-database.js';
export { startPostgresServer, findPostgresBinDir } from './postgres-server.js';
export type { PostgresServer, PostgresServerOptions } from './postgres-server.js';
export { findFreePort } from '@ameide/launch';
export {
  startTemporalServer,
  findTemporalBinary,
  AMEIDE_SEARCH_ATTRIBUTES,
} from './temporal-server.js';
export type { TemporalServer, TemporalServerOptions } from './temporal-server.js';
export { startNatsServer, findNatsServerBinary } from '@ameide/launch';
export type { NatsServer, NatsServerOptions } from '@ameide/launch';
export { startS3Server } from './s3-server.js';
export type { S3Server, S3ServerInfo, S3ServerOptions } from './s3-server.js';
export { parseS3ServerUrl } from './parse-s3-server-url.js';
export { testS3Bucket } from './test-s3-bucket.js';
export type { TestS3Bucket } from './test-s3-bucket.js';
export { startKafkaServer } from './kafka-server.js';
export type { KafkaServer, KafkaServerOptions } from './kafka-server.js';
export { testKafka, waitForTestKafka } from './test-kafka.js';
export type { TestKafka } from './test-kafka.js';
export { testKeycloak, waitForTestKeycloak } from './test-keycloak.js';
export { startTestKubeCluster, startTestOperator } from './kube-cluster.js';
export type { TestKubeCluster, TestOperator } from './kube-cluster.js';
