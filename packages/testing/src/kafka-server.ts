import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKafka, type Kafka } from '@ameide/launch';

/** Options of {@link startKafkaServer}. */
export interface KafkaServerOptions {
  /** Directory of the Kafka jars. Default: see `findKafkaLibs` (`AMEIDE_KAFKA_LIBS`, the cache). */
  readonly libs?: string;
  /** Partitions of topics created without a count. Default 1. */
  readonly defaultPartitions?: number;
  /** Client port on 127.0.0.1. Default: a free port. */
  readonly port?: number;
  /** Controller port on 127.0.0.1. Default: a free port. */
  readonly controllerPort?: number;
  /** Aborting it during the start kills the JVM; the start then rejects. */
  readonly signal?: AbortSignal;
}

/** A running throw-away Kafka broker (single-node KRaft, data in a temporary directory). */
export interface KafkaServer extends Pick<Kafka, 'brokers' | 'port' | 'controllerPort' | 'pid'> {
  readonly dataDir: string;
  /** SIGKILL, keeping the data: start it again with {@link restart}. */
  kill(): Promise<void>;
  /** Starts the broker again on the same ports and data (after {@link kill}). */
  restart(): Promise<void>;
  /** Stops the broker and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

/** Starts Kafka for tests: one node in combined KRaft mode, listening on 127.0.0.1 only. */
export async function startKafkaServer(options: KafkaServerOptions = {}): Promise<KafkaServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ameide-kafka-'));
  const launch = (fixed?: Pick<Kafka, 'port' | 'controllerPort'>): Promise<Kafka> =>
    startKafka({
      dataDir,
      ...(options.libs !== undefined ? { libs: options.libs } : {}),
      ...(options.defaultPartitions !== undefined
        ? { defaultPartitions: options.defaultPartitions }
        : {}),
      ...(fixed ? { port: fixed.port, controllerPort: fixed.controllerPort } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  try {
    let broker = await launch(
      options.port !== undefined && options.controllerPort !== undefined
        ? { port: options.port, controllerPort: options.controllerPort }
        : undefined,
    );
    // A test run that dies without teardown must not leave the directory behind.
    const onExit = (): void => rmSync(dataDir, { recursive: true, force: true });
    process.once('exit', onExit);
    let stopped: Promise<void> | undefined;
    return {
      brokers: broker.brokers,
      port: broker.port,
      controllerPort: broker.controllerPort,
      get pid() {
        return broker.pid;
      },
      dataDir,
      kill: () => broker.kill(),
      async restart() {
        await broker.kill();
        broker = await launch(broker);
      },
      stop: () => {
        stopped ??= (async () => {
          process.off('exit', onExit);
          await broker.stop();
          await rm(dataDir, { recursive: true, force: true });
        })();
        return stopped;
      },
    };
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}
