import { randomBytes } from 'node:crypto';
import { acceptsConnections } from '@ameide/launch';
import { inject } from 'vitest';
import './provided-context.js';

/** The test run's Kafka and names of one test file's own. */
export interface TestKafka {
  /** Bootstrap addresses, `host:port`. */
  readonly brokers: readonly string[];
  /** `t_<label>_<random>`: a topic prefix no other test file uses (topics `<prefix>.<domain>`). */
  readonly topicPrefix: string;
  /** `<topicPrefix>.`: consumer group ids of this file start with it. */
  readonly groupIdPrefix: string;
}

/**
 * The Kafka of the test run (see the global setup) with a topic prefix and a consumer group
 * prefix of one test file's own, so files can run in parallel on one broker without reading
 * each other's events or sharing consumer groups.
 *
 * @param label - names the prefix after the test file, e.g. `'kafka-relay'`.
 */
export function testKafka(label: string): TestKafka {
  const kafka = providedKafka();
  const safe =
    label
      .replace(/[^A-Za-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 40) || 'file';
  const topicPrefix = `t_${safe}_${randomBytes(4).toString('hex')}`;
  return { brokers: kafka.brokers, topicPrefix, groupIdPrefix: `${topicPrefix}.` };
}

function providedKafka(): { brokers: string[] } {
  const kafka = inject('kafka');
  if (typeof kafka !== 'object' || kafka === null || !Array.isArray(kafka.brokers)) {
    throw new Error(
      'kafka was not provided: run the tests through the root vitest.config.ts, whose globalSetup starts a broker.',
    );
  }
  return kafka;
}

/**
 * Waits until the test run's Kafka accepts connections: the global setup starts it in the
 * background, since its JVM takes longer than the other servers together. Call it before the
 * first client connects (a `beforeAll`).
 *
 * @throws Error after `timeoutMs` (default 120 s), pointing at the setup's own error.
 */
export async function waitForTestKafka(timeoutMs = 120_000): Promise<void> {
  const [first] = providedKafka().brokers;
  const [host, port] = (first ?? '').split(':');
  if (!host || !port) throw new Error(`kafka broker address ${String(first)} is not host:port`);
  const deadline = Date.now() + timeoutMs;
  while (!(await acceptsConnections(Number(port), host))) {
    if (Date.now() > deadline)
      throw new Error(
        `Kafka at ${first} did not accept connections within ${timeoutMs} ms; ` +
          'the test setup printed why it did not start (ameide test setup: Kafka did not start ...)',
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}
