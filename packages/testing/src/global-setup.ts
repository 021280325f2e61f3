import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TestProject } from 'vitest/node';
import { randomBytes } from 'node:crypto';
import {
  findFreePort,
  findKafkaLibs,
  findKeycloakHome,
  findVersitygwBinary,
  startKeycloak,
  startNatsServer,
} from '@ameide/launch';
import { startKafkaServer } from './kafka-server.js';
import { parseS3ServerUrl } from './parse-s3-server-url.js';
import { startPostgresServer } from './postgres-server.js';
import { startS3Server } from './s3-server.js';
import { startTemporalServer } from './temporal-server.js';
import './provided-context.js';

const ensureScript = fileURLToPath(
  new URL('../../../scripts/ensure-versitygw.mjs', import.meta.url),
);
const ensureKafkaScript = fileURLToPath(
  new URL('../../../scripts/ensure-kafka.mjs', import.meta.url),
);
const ensureKeycloakScript = fileURLToPath(
  new URL('../../../scripts/ensure-keycloak.mjs', import.meta.url),
);

/** Stops what a `setupX` function started. */
type Teardown = () => Promise<void>;

/**
 * Vitest global setup: starts the real servers the integration tests use, once
 * per run, and hands their URLs to test files via `inject()`. Each server has
 * its own `setupX(project)` returning its teardown; add new servers (nats-server,
 * temporal) to `servers` below.
 */
export default async function setup(project: TestProject): Promise<Teardown> {
  // `npm test -- unit`: unit tests need no servers, so none are started.
  if (process.env['AMEIDE_TEST_TIER'] === 'unit') return async () => {};
  const servers: ReadonlyArray<(project: TestProject) => Promise<Teardown>> = [
    setupPostgres,
    setupNats,
    setupTemporal,
    setupS3,
  ];
  const teardowns: Teardown[] = [];
  // Kafka's JVM takes seconds to start: it starts beside the others, and in the background.
  const kafka = setupKafka(project).then((teardown) => void teardowns.push(teardown));
  // Keycloak's JVM takes 40-75 s: likewise in the background, once per run.
  const keycloak = setupKeycloak(project).then((teardown) => void teardowns.push(teardown));
  const others = (async () => {
    for (const start of servers) teardowns.push(await start(project));
  })();
  const started = await Promise.allSettled([others, kafka, keycloak]);
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    await runTeardowns(teardowns);
    throw failed.reason;
  }
  return () => runTeardowns(teardowns);
}

/**
 * Postgres: the server at `AMEIDE_TEST_PG_URL` when set (a superuser URL,
 * e.g. in CI with a service container), else a throw-away local server.
 */
async function setupPostgres(project: TestProject): Promise<Teardown> {
  const external = process.env['AMEIDE_TEST_PG_URL'];
  if (external !== undefined && external !== '') {
    project.provide('pgAdminUrl', external);
    return async () => {};
  }
  const server = await startPostgresServer();
  project.provide('pgAdminUrl', server.url);
  return () => server.stop();
}

/**
 * nats-server with JetStream: the server at `AMEIDE_TEST_NATS_URL` when set,
 * else a throw-away local server (file storage in a temporary directory). Each
 * test file uses its own stream and subject prefix on it.
 */
async function setupNats(project: TestProject): Promise<Teardown> {
  const external = process.env['AMEIDE_TEST_NATS_URL'];
  if (external !== undefined && external !== '') {
    project.provide('natsUrl', external);
    return async () => {};
  }
  const server = await startNatsServer();
  project.provide('natsUrl', server.url);
  return () => server.stop();
}

/**
 * Temporal dev server (`temporal server start-dev`, SQLite) with the Ameide search attributes:
 * the server at `AMEIDE_TEST_TEMPORAL_ADDRESS` (host:port) when set, else a throw-away local
 * server. Each test file uses its own task queues on the `default` namespace.
 */
async function setupTemporal(project: TestProject): Promise<Teardown> {
  const external = process.env['AMEIDE_TEST_TEMPORAL_ADDRESS'];
  if (external !== undefined && external !== '') {
    project.provide('temporalAddress', external);
    return async () => {};
  }
  const server = await startTemporalServer();
  project.provide('temporalAddress', server.address);
  return () => server.stop();
}

/**
 * S3 (versitygw, posix backend in a temporary directory, a random root account): the server
 * at `AMEIDE_TEST_S3_URL` (`http://KEY:SECRET@host:port`) when set, else a throw-away local
 * server. Each test file uses buckets of its own (`testS3Bucket`).
 */
async function setupS3(project: TestProject): Promise<Teardown> {
  const external = process.env['AMEIDE_TEST_S3_URL'];
  if (external !== undefined && external !== '') {
    project.provide('s3', parseS3ServerUrl(external));
    return async () => {};
  }
  const server = await startS3Server({ binary: await versitygwBinary() });
  const { endpoint, region, accessKeyId, secretAccessKey } = server;
  project.provide('s3', { endpoint, region, accessKeyId, secretAccessKey });
  return () => server.stop();
}

/**
 * Kafka (single-node KRaft broker, data in a temporary directory): the broker at
 * `AMEIDE_TEST_KAFKA_BROKERS` (`host:port[,host:port]`) when set, else a throw-away local one.
 * Each test file uses topics and consumer groups of its own (`testKafka`).
 */
async function setupKafka(project: TestProject): Promise<Teardown> {
  const external = process.env['AMEIDE_TEST_KAFKA_BROKERS'];
  if (external !== undefined && external !== '') {
    project.provide('kafka', { brokers: external.split(',').map((b) => b.trim()) });
    return async () => {};
  }
  // The JVM takes longer to start than all the other servers together, so the run does not
  // wait for it: the address is handed out now, the broker starts in the background, and the
  // test files that use it wait until it accepts connections (`waitForTestKafka`).
  const port = await findFreePort();
  const controllerPort = await findFreePort();
  project.provide('kafka', { brokers: [`127.0.0.1:${port}`] });
  const teardown = new AbortController();
  let failed: Error | undefined;
  const starting = (async () =>
    startKafkaServer({ libs: await kafkaLibs(), port, controllerPort, signal: teardown.signal }))();
  starting.catch((error: unknown) => {
    if (teardown.signal.aborted) return;
    failed = error instanceof Error ? error : new Error(String(error));
    process.stderr.write(
      `ameide test setup: Kafka did not start, its tests will fail: ${error instanceof Error ? error.message : String(error)}\n`,
    );
  });
  return async () => {
    // The broker's data is thrown away: it is killed, also in the middle of its start when
    // the run ends before it is up (no test used it).
    teardown.abort();
    const server = await starting.catch(() => undefined);
    if (failed !== undefined) throw failed;
    await server?.stop();
  };
}

/**
 * Keycloak (`kc.sh start-dev`, data in memory, a random bootstrap admin password): the server
 * at `AMEIDE_TEST_KEYCLOAK_URL` (`http://ADMIN:PASSWORD@host:port`) when set, else a throw-away
 * local one started in the background; the test files that use it wait for it
 * (`waitForTestKeycloak`). Each test file uses realms and tenants of its own.
 */
async function setupKeycloak(project: TestProject): Promise<Teardown> {
  const external = process.env['AMEIDE_TEST_KEYCLOAK_URL'];
  if (external !== undefined && external !== '') {
    const url = new URL(external);
    const admin = {
      username: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
    };
    url.username = '';
    url.password = '';
    project.provide('keycloak', { url: url.origin, admin });
    return async () => {};
  }
  const port = await findFreePort();
  const admin = { username: 'admin', password: randomBytes(12).toString('base64url') };
  project.provide('keycloak', { url: `http://127.0.0.1:${port}`, admin });
  const teardown = new AbortController();
  let failed: Error | undefined;
  const starting = (async () =>
    // Under a full test run's load the JVM needs far longer than alone (40-75 s).
    startKeycloak({
      home: await keycloakHome(),
      port,
      admin,
      signal: teardown.signal,
      startTimeoutMs: 360_000,
    }))();
  starting.catch((error: unknown) => {
    if (teardown.signal.aborted) return;
    failed = error instanceof Error ? error : new Error(String(error));
    process.stderr.write(
      `ameide test setup: Keycloak did not start, its tests will fail: ${failed.message}\n`,
    );
  });
  return async () => {
    teardown.abort();
    const server = await starting.catch(() => undefined);
    if (failed !== undefined) throw failed;
    await server?.stop();
  };
}

/** The Keycloak distribution; fetched into the cache first when missing (`scripts/ensure-keycloak.mjs`, Maven). */
async function keycloakHome(): Promise<string> {
  try {
    return findKeycloakHome();
  } catch (notFound) {
    if (process.env['AMEIDE_KEYCLOAK_HOME'] || !existsSync(ensureKeycloakScript)) throw notFound;
    const ensure = (await import(pathToFileURL(ensureKeycloakScript).href)) as {
      ensureKeycloak(): string;
    };
    return ensure.ensureKeycloak();
  }
}

/** The Kafka jars; fetched into the cache first when missing (`scripts/ensure-kafka.mjs`, Maven). */
async function kafkaLibs(): Promise<string> {
  try {
    return findKafkaLibs();
  } catch (notFound) {
    if (process.env['AMEIDE_KAFKA_LIBS'] || !existsSync(ensureKafkaScript)) throw notFound;
    const ensure = (await import(pathToFileURL(ensureKafkaScript).href)) as {
      ensureKafka(): string;
    };
    return ensure.ensureKafka();
  }
}

/**
 * The versitygw binary; built into the cache first when missing (a fresh machine, about 3
 * minutes, progress on stderr) by the same `scripts/ensure-versitygw.mjs` that CI runs before the tests.
 */
async function versitygwBinary(): Promise<string> {
  try {
    return findVersitygwBinary();
  } catch (notFound) {
    // An explicit AMEIDE_VERSITYGW_BIN that does not exist is a mistake to report, not to build over.
    if (process.env['AMEIDE_VERSITYGW_BIN'] || !existsSync(ensureScript)) throw notFound;
    const ensure = (await import(pathToFileURL(ensureScript).href)) as {
      ensureVersitygw(): string;
    };
    return ensure.ensureVersitygw();
  }
}

/** Runs teardowns in reverse start order; reports all failures, not just the first. */
async function runTeardowns(teardowns: readonly Teardown[]): Promise<void> {
  const errors: unknown[] = [];
  for (const teardown of [...teardowns].reverse()) {
    try {
      await teardown();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, 'global teardown failed');
}
