// A projection rebuilt from Kafka (the analytics topics, kept for replay) instead of the Postgres
// log: the relay feeds the topic, the rebuild reads it from the earliest offset into the shadow
// tables, swaps, and the serving tables then follow the Postgres log again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createKafkaTransport,
  createPostgresTransport,
  createRelay,
  type EventTransport,
} from '@ameide/events';
import { createPgDatabase, type Database } from '@ameide/persistence';
import { createTestDatabase, testKafka, type TestDatabase } from '@ameide/testing';
import {
  createProjectionRunner,
  projectionSchema,
  type ProjectionRunner,
} from '@ameide/projections';
import {
  credit,
  foldTally,
  migrateTally,
  readTally,
  tallyProjection,
  TALLY,
} from '../testing/tally.js';

describe('projection rebuilt from Kafka', () => {
  let testDb: TestDatabase;
  let db: Database;
  let kafka: EventTransport;
  let runner: ProjectionRunner;
  const next = new Map<string, bigint>();
  const schema = projectionSchema('tally-balances');

  beforeAll(async () => {
    testDb = await createTestDatabase('projection_kafka', { ownServer: true });
    db = createPgDatabase({ url: testDb.url, pool: { max: 8 } });
    await migrateTally(db);
    const { brokers, topicPrefix, groupIdPrefix } = testKafka('projection-kafka');
    kafka = await createKafkaTransport({ brokers, topicPrefix, groupIdPrefix, partitions: 3 });
  }, 120_000);
  afterAll(async () => {
    await runner?.stop();
    await kafka?.close();
    await db?.close();
    await testDb?.drop();
  });

  it(
    'rebuilds from the topic, swaps, then follows the Postgres log',
    { timeout: 240_000 },
    async () => {
      await credit(db, 'acme', { count: 500, accounts: 9, next });
      await credit(db, 'globex', { count: 200, accounts: 4, next });
      const relay = createRelay({ db, domain: TALLY, publisher: kafka.publisher!, batchSize: 200 });
      for (let i = 0; i < 20 && relay.status().published < 700; i++) await relay.runOnce();
      expect(relay.status().published).toBe(700);

      runner = createProjectionRunner({
        db,
        definition: tallyProjection(),
        transport: createPostgresTransport({ db, pollMs: 10 }),
        rebuildTransports: { kafka },
        lagIntervalMs: 0,
        waitMs: 100,
      });
      await runner.start();
      await runner.catchUp();
      await runner.rebuild({ source: 'kafka' });
      const info = await runner.rebuilt();
      expect(info).toMatchObject({ state: 'swapped', source: 'kafka' });
      expect(info!.eventsApplied).toBe(700);
      expect(await readTally(db, 'acme', schema)).toEqual(await foldTally(db, 'acme'));
      expect(await readTally(db, 'globex', schema)).toEqual(await foldTally(db, 'globex'));

      // After the swap the serving tables follow the Postgres log; the inbox drops what Kafka gave.
      await credit(db, 'acme', { count: 50, accounts: 9, next });
      await runner.catchUp();
      expect(await readTally(db, 'acme', schema)).toEqual(await foldTally(db, 'acme'));
      expect((await runner.status()).generation).toBe(2);
    },
  );

  it(
    'fails a Kafka rebuild whose topic lacks events of the log, keeping the serving tables',
    { timeout: 240_000 },
    async () => {
      // 30 events the relay never published to Kafka.
      await credit(db, 'globex', { count: 30, accounts: 4, next });
      await runner.catchUp();
      const before = await readTally(db, 'globex', schema);
      await runner.rebuild({ source: 'kafka' });
      const info = await runner.rebuilt();
      expect(info?.state).toBe('failed');
      expect(info?.error).toMatch(/tally gave 700 of the 780 events in its log/);
      expect(await readTally(db, 'globex', schema)).toEqual(before);
      await credit(db, 'globex', { count: 5, accounts: 4, next });
      await runner.catchUp();
      expect(await readTally(db, 'globex', schema)).toEqual(await foldTally(db, 'globex'));
    },
  );
});
