import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { acceptsConnections } from './accepts-connections.js';
import { findBinary } from './find-binary.js';
import { findFreePort } from './find-free-port.js';
import { tailOutput } from './tail-output.js';
import { hasExited, terminate } from './terminate.js';
import { waitUntilReady } from './wait-until-ready.js';

/**
 * The Kafka release the platform is tested against. `scripts/ensure-kafka.mjs`
 * (`ensureKafka`) fetches exactly this one.
 */
export const KAFKA_VERSION = '4.4.0';

const JARS_HINT =
  'Fetch them once with `node scripts/ensure-kafka.mjs` (Maven: kafka_2.13 and kafka-tools ' +
  `${KAFKA_VERSION} with log4j 2, about 10 s), set AMEIDE_KAFKA_LIBS to a directory of Kafka jars, ` +
  'or point the tests at a running broker with AMEIDE_TEST_KAFKA_BROKERS=host:port.';

const JAVA_HINT =
  'Kafka needs Java 17 or later: install it (Debian/Ubuntu: `apt-get install openjdk-17-jre-headless`) ' +
  'or set AMEIDE_JAVA to a java binary; the jars come from `node scripts/ensure-kafka.mjs`.';

/** Where `scripts/ensure-kafka.mjs` puts the jars: `$XDG_CACHE_HOME/ameide/kafka-<version>/libs`. */
export function kafkaCacheDir(): string {
  const cache = process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(cache, 'ameide', `kafka-${KAFKA_VERSION}`, 'libs');
}

/**
 * The directory of the Kafka jars: `libs` when given, else `AMEIDE_KAFKA_LIBS`, else the
 * cache ({@link kafkaCacheDir}).
 *
 * @throws Error naming the directory and how to fetch the jars.
 */
export function findKafkaLibs(options: { libs?: string } = {}): string {
  const fromEnv = process.env['AMEIDE_KAFKA_LIBS'];
  const dir = options.libs ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : kafkaCacheDir());
  const from =
    options.libs !== undefined
      ? ''
      : fromEnv !== undefined && fromEnv !== ''
        ? ' (AMEIDE_KAFKA_LIBS)'
        : '';
  if (!existsSync(dir) || !readdirSync(dir).some((f) => f.startsWith('kafka_2.13-')))
    throw new Error(`Kafka ${KAFKA_VERSION} jars not found in ${dir}${from}. ${JARS_HINT}`);
  return dir;
}

/** The `java` binary: `AMEIDE_JAVA`, else `$JAVA_HOME/bin/java`, else on PATH. */
export function findJavaBinary(): string {
  const fromEnv = process.env['AMEIDE_JAVA'];
  if (fromEnv !== undefined && fromEnv !== '')
    return findBinary('java', {
      binary: fromEnv,
      binaryFrom: 'AMEIDE_JAVA',
      installHint: JAVA_HINT,
    });
  const home = process.env['JAVA_HOME'];
  if (home !== undefined && home !== '' && existsSync(join(home, 'bin', 'java')))
    return join(home, 'bin', 'java');
  return findBinary('java', { installHint: JAVA_HINT });
}

/** Options of {@link startKafka}. */
export interface KafkaOptions {
  /** Directory of the broker's config and logs; formatted on first start, reused after (restart). */
  readonly dataDir: string;
  /** Directory of the jars (see {@link findKafkaLibs}). Default: {@link findKafkaLibs}(). */
  readonly libs?: string;
  /** The `java` binary. Default: {@link findJavaBinary}(). */
  readonly java?: string;
  /** Client port on 127.0.0.1. Default: a free port (retried when another process takes it first). */
  readonly port?: number;
  /** Controller (KRaft quorum) port on 127.0.0.1. Default: a free port. */
  readonly controllerPort?: number;
  /** Partitions of topics created without a count. Default 1. */
  readonly defaultPartitions?: number;
  /**
   * `quick` (default): the JVM's client compiler only and the serial collector, for a fast
   * start (tests, dev); `full`: the JVM's defaults, for long runs that need peak throughput.
   */
  readonly jit?: 'quick' | 'full';
  /** Maximum JVM heap. Default `512m`. */
  readonly heap?: string;
  /** Aborting it during the start kills the JVM at once; `startKafka` then rejects. */
  readonly signal?: AbortSignal;
  /** How long to wait for the broker to be ready (default 60 s: a loaded 2-core machine needs 6-20 s). */
  readonly startTimeoutMs?: number;
}

/** A single-node Kafka (KRaft, broker and controller in one JVM) child of this process. */
export interface Kafka {
  /** `127.0.0.1:<port>`, the bootstrap address for clients. */
  readonly brokers: string;
  readonly port: number;
  readonly controllerPort: number;
  readonly dataDir: string;
  readonly pid: number;
  /** SIGTERM (a controlled shutdown), then SIGKILL after 10 s. Idempotent. Leaves `dataDir` in place. */
  stop(): Promise<void>;
  /** SIGKILL at once, as a crash would; resolves once the JVM is gone. Leaves `dataDir` in place. */
  kill(): Promise<void>;
}

/**
 * Starts a single-node Kafka in combined KRaft mode (`process.roles=broker,controller`) with
 * its data in `dataDir`: writes `server.properties` there, formats the storage when it is
 * not formatted yet (`kafka.tools.StorageTool format`), runs `java -cp '<libs>/*' kafka.Kafka`
 * on 127.0.0.1 only, and waits until the broker reports it has started and accepts
 * connections. Started again on the same `dataDir`, `port` and `controllerPort`, it keeps its
 * topics, messages and committed offsets. Killed with this process when it exits.
 */
export async function startKafka(options: KafkaOptions): Promise<Kafka> {
  const libs = findKafkaLibs(options.libs !== undefined ? { libs: options.libs } : {});
  const java = options.java ?? findJavaBinary();
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await findFreePort());
    const controllerPort = options.controllerPort ?? (await findFreePort());
    try {
      const child = await launch(options, { java, libs, port, controllerPort });
      const killOnExit = (): void => void child.kill('SIGKILL');
      process.once('exit', killOnExit);
      let stopping: Promise<void> | undefined;
      const end = (signals: readonly NodeJS.Signals[]): Promise<void> => {
        stopping ??= terminate(child, { signals, graceMs: 10_000 }).finally(() =>
          process.off('exit', killOnExit),
        );
        return stopping;
      };
      return {
        brokers: `127.0.0.1:${port}`,
        port,
        controllerPort,
        dataDir: options.dataDir,
        pid: child.pid!,
        stop: () => end(['SIGTERM']),
        kill: () => end([]),
      };
    } catch (error) {
      // Another process may have taken a free port between probe and bind.
      const portTaken = error instanceof Error && /address already in use/i.test(error.message);
      const fixed = options.port !== undefined || options.controllerPort !== undefined;
      if (!portTaken || fixed || attempt >= 3) throw error;
    }
  }
}

interface Launch {
  readonly java: string;
  readonly libs: string;
  readonly port: number;
  readonly controllerPort: number;
}

async function launch(options: KafkaOptions, l: Launch): Promise<ChildProcess> {
  const { dataDir } = options;
  const logDir = join(dataDir, 'log');
  // A port something else listens on would pass the readiness probe: refuse it up front.
  for (const p of [l.port, l.controllerPort])
    if (await acceptsConnections(p))
      throw new Error(
        `kafka cannot listen on 127.0.0.1:${p}: address already in use (something accepts connections there)`,
      );
  await mkdir(logDir, { recursive: true });
  const properties = join(dataDir, 'server.properties');
  const log4j = join(dataDir, 'log4j2.properties');
  await writeFile(properties, serverProperties(options, l, logDir));
  await writeFile(log4j, LOG4J);
  const classpath = `${l.libs}/*`;
  const jvm = [
    `-Xmx${options.heap ?? '512m'}`,
    // The client compiler only and the serial collector: ready in ~3.5 s instead of ~6 s on
    // 2 cores (the format step is a JVM start too), at some cost in peak throughput.
    ...(options.jit === 'full' ? [] : ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC']),
    `-Dlog4j2.configurationFile=${log4j}`,
  ];
  if (!existsSync(join(logDir, 'meta.properties')))
    await format(l.java, [...jvm, '-cp', classpath], properties, options.signal);
  options.signal?.throwIfAborted();
  const child = spawn(l.java, [...jvm, '-cp', classpath, 'kafka.Kafka', properties], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = tailOutput(child, 60);
  // An unstartable binary (ENOENT, EACCES) surfaces as the child's exit below.
  child.once('error', () => undefined);
  const abort = (): void => void child.kill('SIGKILL');
  options.signal?.addEventListener('abort', abort, { once: true });
  child.once('exit', () => options.signal?.removeEventListener('abort', abort));
  await waitUntilReady(child, {
    name: 'kafka',
    where: `port ${l.port}, data ${dataDir}`,
    ready: async () =>
      output.lines.some((line) => /Kafka Server started/.test(line)) &&
      (await acceptsConnections(l.port)),
    output,
    timeoutMs: options.startTimeoutMs ?? 60_000,
    pollMs: 100,
  });
  return child;
}

/** `kafka-storage.sh format` for a fresh log directory, with a new cluster id. */
async function format(
  java: string,
  jvm: readonly string[],
  properties: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  signal?.throwIfAborted();
  // A cluster id is 16 random bytes in URL-safe base64 without padding (what `random-uuid` prints).
  // One starting with `-` would be read as an option (1 start in 64 failed that way).
  let clusterId: string;
  do clusterId = randomBytes(16).toString('base64url');
  while (clusterId.startsWith('-'));
  const child = spawn(
    java,
    [...jvm, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', properties],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output = tailOutput(child);
  child.once('error', () => undefined);
  const abort = (): void => void child.kill('SIGKILL');
  signal?.addEventListener('abort', abort, { once: true });
  child.once('exit', () => signal?.removeEventListener('abort', abort));
  const code = await new Promise<number | null>((resolve) => {
    if (hasExited(child)) resolve(child.exitCode);
    child.once('exit', (c) => resolve(c));
  });
  if (code !== 0)
    throw new Error(`kafka storage format exited with ${String(code)}:\n${output.text()}`);
}

function serverProperties(options: KafkaOptions, l: Launch, logDir: string): string {
  return `${[
    'process.roles=broker,controller',
    'node.id=1',
    // Quorum voters given statically: format then runs without --standalone.
    `controller.quorum.voters=1@127.0.0.1:${l.controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${l.port},CONTROLLER://127.0.0.1:${l.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${l.port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${logDir}`,
    `num.partitions=${options.defaultPartitions ?? 1}`,
    // One node: every internal topic has one replica.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=4',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    // A new consumer group starts at once instead of waiting 3 s for more members.
    'group.initial.rebalance.delay.ms=0',
    // After a crash the controller refuses the restarted broker until the dead one's session
    // expires (9 s by default): a short session gets a restart on the same data back in ~3 s.
    'broker.heartbeat.interval.ms=500',
    'broker.session.timeout.ms=3000',
    // Topics are created on purpose (the transport creates its own, with a partition count).
    'auto.create.topics.enable=false',
  ].join('\n')}\n`;
}

// Warnings only, on stdout (quoted in start-up errors), plus the line readiness waits for.
const LOG4J = `status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = warn
rootLogger.appenderRef.stdout.ref = STDOUT
logger.server.name = kafka.server.KafkaRaftServer
logger.server.level = info
`;
