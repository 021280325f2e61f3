import {
  appendToOutbox,
  createKafkaTransport,
  createRelay,
  encodeEnvelope,
  ensureRelayRole,
  eventTablesMigration,
  KAFKA_HEADERS,
  newEventId,
  tenantPartition,
  type EventEnvelope,
} from '@ameide/events';
import {
  createPgDatabase,
  ensureAppRole,
  migrate,
  migratePlatform,
  withTenant,
} from '@ameide/persistence';
import { findKafkaLibs } from '@ameide/launch';
import { startKafkaServer } from '@ameide/testing';
import { median, report } from './lib/measure.js';
import { benchPostgres } from './lib/postgres.js';

const TENANTS = Array.from({ length: 12 }, (_, i) => `tenant-${i}`);
const PARTITIONS = 6;

/**
 * Kafka as the relay's broker: the relay draining an outbox backlog to Kafka
 * (`createKafkaTransport`: idempotent producer, acks all, partition by tenant hash) vs
 * kafkajs producing the same messages itself (the same encoded envelopes, keys, headers and
 * partitions, encoded before the clock starts, the same batch size and producer settings) to
 * a second topic, in alternating rounds on one broker (the first round warms up), medians.
 * A single-node KRaft broker from the cached jars (`scripts/ensure-kafka.mjs`), or
 * `AMEIDE_BENCH_KAFKA_BROKERS`.
 */
export async function benchKafka(): Promise<void> {
  const pgServer = await benchPostgres('kafka');
  const external = process.env['AMEIDE_BENCH_KAFKA_BROKERS'];
  const broker = external ? undefined : await startKafkaServer({ libs: findKafkaLibs() });
  const brokers = external ? external.split(',') : [broker!.brokers];
  const db = createPgDatabase({ url: pgServer.url, pool: { max: 8 } });
  const relayDb = createPgDatabase({ url: pgServer.url, pool: { max: 1 } });
  const transport = await createKafkaTransport({
    brokers,
    topicPrefix: `bench_${Date.now().toString(36)}`,
    partitions: PARTITIONS,
  });
  const raw = transport.kafka.producer({ idempotent: true, maxInFlightRequests: 5 });
  try {
    await ensureAppRole(db);
    await ensureRelayRole(db);
    await migratePlatform(db);
    await migrate(db, {
      schema: 'bench',
      migrations: [
        { version: 1, name: 'none', sql: 'SELECT 1;' },
        eventTablesMigration('bench', 2),
      ],
    });
    await raw.connect();
    const rawTopic = transport.topicOf('bench_raw');
    // The transport creates its topics on first use; the raw one is made the same way.
    await transport.publisher!.publish([{ ...envelopes(1, 'warm')[0]!, domain: 'bench_raw' }]);

    const n = 5_000;
    const batchSize = 1_000;
    const rounds = 5;
    const relay = createRelay({
      db: relayDb,
      domain: 'bench',
      publisher: transport.publisher!,
      batchSize,
    });
    const drain = async (round: number): Promise<number> => {
      const backlog = envelopes(n, `drain-${round}-`);
      for (const tenantId of TENANTS) {
        const mine = backlog.filter((e) => e.tenantId === tenantId);
        await withTenant(db, { tenantId }, (tx) => appendToOutbox(tx, 'bench', mine));
      }
      const started = performance.now();
      let published = 0;
      while (published < n) published += (await relay.runOnce()).published;
      return performance.now() - started;
    };
    const toMessages = (batch: readonly EventEnvelope[]) =>
      batch.map((e) => ({
        key: e.tenantId,
        value: Buffer.from(encodeEnvelope(e)),
        partition: tenantPartition(e.tenantId, PARTITIONS),
        headers: {
          [KAFKA_HEADERS.eventId]: e.eventId,
          [KAFKA_HEADERS.eventType]: e.type,
          [KAFKA_HEADERS.tenant]: e.tenantId,
        },
      }));
    const produceRaw = async (round: number): Promise<number> => {
      const messages = toMessages(envelopes(n, `raw-${round}-`));
      const started = performance.now();
      for (let i = 0; i < n; i += batchSize)
        await raw.sendBatch({
          acks: -1,
          topicMessages: [{ topic: rawTopic, messages: messages.slice(i, i + batchSize) }],
        });
      return performance.now() - started;
    };
    // The same, encoding each batch inside the clock as the relay must: splits the gap
    // between what the relay pays for the envelopes and what it pays for the database.
    const produceEncoding = async (round: number): Promise<number> => {
      const batch = envelopes(n, `enc-${round}-`);
      const started = performance.now();
      for (let i = 0; i < n; i += batchSize)
        await raw.sendBatch({
          acks: -1,
          topicMessages: [{ topic: rawTopic, messages: toMessages(batch.slice(i, i + batchSize)) }],
        });
      return performance.now() - started;
    };
    const runs = { relay: drain, raw: produceRaw, encoding: produceEncoding };
    const times: Record<keyof typeof runs, number[]> = { relay: [], raw: [], encoding: [] };
    for (let round = 0; round <= rounds; round++) {
      // A different order each round, so none always runs first on a shared machine.
      const order = (Object.keys(runs) as (keyof typeof runs)[]).map(
        (_, i, keys) => keys[(i + round) % keys.length]!,
      );
      for (const name of order) {
        const ms = await runs[name](round);
        if (round > 0) times[name].push(ms);
      }
    }
    const relayMs = median(times.relay);
    const rawMs = median(times.raw);
    const encodingMs = median(times.encoding);
    report(
      `kafkajs produce, raw (pre-encoded, idempotent, acks all, ${batchSize} per send, ${PARTITIONS} partitions)`,
      (n / rawMs) * 1000,
      'events/s',
      1,
      'itself',
    );
    report(
      'kafkajs produce, encoding each batch in the clock',
      (n / encodingMs) * 1000,
      'events/s',
      rawMs / encodingMs,
      'raw kafkajs produce (throughput ratio)',
    );
    report(
      'relay: outbox -> Kafka, backlog drain',
      (n / relayMs) * 1000,
      'events/s',
      rawMs / relayMs,
      'raw kafkajs produce (throughput ratio)',
    );
  } finally {
    await raw.disconnect().catch(() => undefined);
    await transport.close();
    await relayDb.close();
    await db.close();
    await broker?.stop();
    await pgServer.stop();
  }
}

function envelopes(n: number, aggregatePrefix: string): EventEnvelope[] {
  return Array.from({ length: n }, (_, i) => ({
    eventId: newEventId(),
    tenantId: TENANTS[i % TENANTS.length]!,
    domain: 'bench',
    aggregateType: 'thing',
    aggregateId: `${aggregatePrefix}${i % 500}`,
    aggregateVersion: BigInt(Math.floor(i / 500) + 1),
    type: 'bench.thing.happened.v1',
    schemaVersion: 1,
    occurredAt: new Date(),
    correlationId: 'bench',
    causationId: undefined,
    payload: { i, note: 'a payload of a typical size for a domain event, with a few fields' },
  }));
}
