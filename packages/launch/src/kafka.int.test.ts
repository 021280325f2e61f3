import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acceptsConnections,
  findJavaBinary,
  findKafkaLibs,
  kafkaCacheDir,
  KAFKA_VERSION,
  startKafka,
  type Kafka,
} from '@ameide/launch';

// Starts a broker of its own (the run's may be an external one): needs Java and the jars.
describe.skipIf(Boolean(process.env['AMEIDE_TEST_KAFKA_BROKERS']))('startKafka', () => {
  let dataDir: string;
  let broker: Kafka;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'ameide-launch-kafka-'));
    broker = await startKafka({ dataDir });
  });
  afterAll(async () => {
    await broker?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('runs one KRaft node (broker and controller) on 127.0.0.1 from the jars, its storage formatted in dataDir', () => {
    expect(broker.brokers).toBe(`127.0.0.1:${broker.port}`);
    const commandLine = readFileSync(`/proc/${broker.pid}/cmdline`, 'utf8').split('\0');
    expect(commandLine).toContain('kafka.Kafka');
    expect(commandLine).toContain(`${findKafkaLibs()}/*`);
    const config = readFileSync(join(dataDir, 'server.properties'), 'utf8');
    expect(config).toContain('process.roles=broker,controller');
    expect(config).toContain(`controller.quorum.voters=1@127.0.0.1:${broker.controllerPort}`);
    expect(readFileSync(join(dataDir, 'log', 'meta.properties'), 'utf8')).toMatch(
      /cluster\.id=[A-Za-z0-9_-]{22}/,
    );
  });

  it('refuses a port that is taken, naming it', async () => {
    const other = await mkdtemp(join(tmpdir(), 'ameide-launch-kafka-'));
    try {
      await expect(startKafka({ dataDir: other, port: broker.port })).rejects.toThrow(
        `kafka cannot listen on 127.0.0.1:${broker.port}: address already in use`,
      );
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('stops on stop(): both ports close and the data directory stays', async () => {
    await broker.stop();
    await broker.stop();
    expect(await acceptsConnections(broker.port)).toBe(false);
    expect(await acceptsConnections(broker.controllerPort)).toBe(false);
    expect(existsSync(join(dataDir, 'log', 'meta.properties'))).toBe(true);
  });
});

describe('findKafkaLibs and findJavaBinary', () => {
  it('look in the cache that scripts/ensure-kafka.mjs fills, for the same version', () => {
    const script = readFileSync(
      new URL('../../../scripts/ensure-kafka.mjs', import.meta.url),
      'utf8',
    );
    expect(script).toContain(`export const KAFKA_VERSION = '${KAFKA_VERSION}';`);
    expect(kafkaCacheDir()).toMatch(new RegExp(`/ameide/kafka-${KAFKA_VERSION}/libs$`));
  });

  it('name the fix when the jars are missing', () => {
    expect(() => findKafkaLibs({ libs: '/nonexistent/libs' })).toThrow(
      /Kafka 4\.4\.0 jars not found in \/nonexistent\/libs\. Fetch them once with `node scripts\/ensure-kafka\.mjs`/,
    );
  });

  it('name the fix when Java is missing', () => {
    const saved = process.env['AMEIDE_JAVA'];
    process.env['AMEIDE_JAVA'] = '/nonexistent/java';
    try {
      expect(() => findJavaBinary()).toThrow(
        /java not found at \/nonexistent\/java \(AMEIDE_JAVA\)\. Kafka needs Java 17 or later: install it .*`node scripts\/ensure-kafka\.mjs`/,
      );
    } finally {
      if (saved === undefined) delete process.env['AMEIDE_JAVA'];
      else process.env['AMEIDE_JAVA'] = saved;
    }
  });
});
