import { randomBytes } from 'node:crypto';
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
  const kafka = inject('kafka');
  if (typeof kafka !== 'object' || kafka === null || !Array.isArray(kafka.brokers)) {
    throw new Error(
      'kafka was not provided: run the tests through the root vitest.config.ts, whose globalSetup starts a broker.',
    );
  }
  const safe =
    label
      .replace(/[^A-Za-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 40) || 'file';
  const topicPrefix = `t_${safe}_${randomBytes(4).toString('hex')}`;
  return { brokers: kafka.brokers, topicPrefix, groupIdPrefix: `${topicPrefix}.` };
}
