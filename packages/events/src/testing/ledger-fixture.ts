// Test support (vitest only): per-file databases and NATS streams for the ledger test domain.
import { inject } from 'vitest';
import { createPgDatabase, createPgliteDatabase, type Database } from '@ameide/persistence';
import { createTestDatabase, testKafka, waitForTestKafka } from '@ameide/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { createRelay } from '../relay/relay.js';
import type { EventTransport } from '../transport/event-transport.js';
import { createKafkaTransport, kafkaGroupId } from '../transport/kafka-transport.js';
import { createNatsTransport } from '../transport/nats-transport.js';
import { createPostgresTransport } from '../transport/postgres-transport.js';
import { migrateLedger } from './ledger.js';

export type Engine = 'postgres' | 'pglite';

/** A migrated database for one test file, and more connections to it. */
export interface LedgerDatabase {
  readonly engine: Engine;
  /** Owner connection (pg pool of 20, or the PGlite instance). */
  readonly db: Database;
  /** Postgres only: the database URL (child processes connect to it). */
  readonly url: string | undefined;
  /** Another pool on the same database (PGlite: the same instance). */
  connect(max?: number): Database;
  close(): Promise<void>;
}

/**
 * A migrated ledger database for one test file. `ownServer`: on a Postgres server of the file's
 * own (see `createTestDatabase`), for tests that assert what a below-xmin log reader sees at once.
 */
export async function openLedgerDatabase(
  engine: Engine,
  label: string,
  options: { readonly ownServer?: boolean } = {},
): Promise<LedgerDatabase> {
  if (engine === 'pglite') {
    const db = await createPgliteDatabase();
    await migrateLedger(db);
    return {
      engine,
      db,
      url: undefined,
      connect: () => ({ ...db, close: async () => {} }),
      close: () => db.close(),
    };
  }
  const testDb = await createTestDatabase(label, options);
  const db = createPgDatabase({ url: testDb.url, pool: { max: 20 } });
  await migrateLedger(db);
  const others: Database[] = [];
  return {
    engine,
    db,
    url: testDb.url,
    connect(max = 10) {
      const other = createPgDatabase({ url: testDb.url, pool: { max, idleTimeoutMillis: 0 } });
      others.push(other);
      return other;
    },
    async close() {
      for (const o of others) await o.close();
      await db.close();
      await testDb.drop();
    },
  };
}

/** A NATS transport on its own stream and subject prefix (one per test file). */
export function natsTransportFor(label: string, options: { ackWaitMs?: number } = {}) {
  const id = label.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
  return createNatsTransport({
    servers: inject('natsUrl'),
    stream: `EV_${id}`,
    subjectPrefix: `ev${id.toLowerCase()}`,
    ackWaitMs: options.ackWaitMs ?? 2_000,
  });
}

/** A Kafka transport on topics and consumer groups of its own (one prefix per test file). */
export async function kafkaTransportFor(
  label: string,
  options: { ackWaitMs?: number; brokers?: readonly string[]; maxRetryTimeMs?: number } = {},
) {
  const names = testKafka(label);
  if (options.brokers === undefined) await waitForTestKafka();
  const transport = await createKafkaTransport({
    brokers: options.brokers ?? names.brokers,
    topicPrefix: names.topicPrefix,
    groupIdPrefix: names.groupIdPrefix,
    ackWaitMs: options.ackWaitMs ?? 2_000,
    ...(options.maxRetryTimeMs !== undefined ? { maxRetryTimeMs: options.maxRetryTimeMs } : {}),
  });
  return { ...transport, groupIdPrefix: names.groupIdPrefix };
}

/** A transport under test, with what it needs running (a relay for NATS and Kafka). */
export interface TransportSetup {
  readonly name: string;
  readonly ledger: LedgerDatabase;
  readonly transport: EventTransport;
  /** Makes the consumer see every event again from the start (at-least-once redelivery, taken to the extreme). */
  rewind(consumer: string): Promise<void>;
  close(): Promise<void>;
}

export type TransportKind = 'postgres-on-postgres' | 'postgres-on-pglite' | 'nats' | 'kafka';

export async function openTransportSetup(
  kind: TransportKind,
  label: string,
): Promise<TransportSetup> {
  const ledger = await openLedgerDatabase(
    kind === 'postgres-on-pglite' ? 'pglite' : 'postgres',
    label,
  );
  if (kind === 'kafka') return kafkaSetup(kind, label, ledger);
  if (kind !== 'nats') {
    const transport = createPostgresTransport({ db: ledger.db, pollMs: 20 });
    return {
      name: kind,
      ledger,
      transport,
      rewind: async (consumer) => {
        await ledger.db.query(`DELETE FROM ledger.consumer_progress WHERE consumer = $1`, [
          consumer,
        ]);
      },
      close: () => ledger.close(),
    };
  }
  const transport = await natsTransportFor(label);
  const relay = createRelay({
    db: ledger.connect(1),
    domain: 'ledger',
    publisher: transport.publisher!,
    pollMs: 20,
  });
  relay.start();
  const jsm = await jetstreamManager(transport.connection);
  const stream = `EV_${label.replace(/[^A-Za-z0-9]/g, '').toUpperCase()}`;
  return {
    name: kind,
    ledger,
    transport,
    rewind: async (consumer) => {
      // A fresh durable with the same name starts again at the first message.
      await jsm.consumers.delete(stream, consumer);
    },
    close: async () => {
      await relay.stop();
      await jsm.streams.delete(stream).catch(() => undefined);
      await transport.close();
      await ledger.close();
    },
  };
}

async function kafkaSetup(
  kind: TransportKind,
  label: string,
  ledger: LedgerDatabase,
): Promise<TransportSetup> {
  const transport = await kafkaTransportFor(label);
  const relay = createRelay({
    db: ledger.connect(1),
    domain: 'ledger',
    publisher: transport.publisher!,
    pollMs: 20,
  });
  relay.start();
  const admin = transport.kafka.admin();
  await admin.connect();
  return {
    name: kind,
    ledger,
    transport,
    rewind: async (consumer) => {
      // A group with no committed offsets starts again at the earliest offset. The consumer
      // has stopped (left the group), but the broker may still be finishing the leave.
      for (let attempt = 1; ; attempt++) {
        try {
          await admin.deleteGroups([kafkaGroupId(transport.groupIdPrefix, consumer, 'ledger')]);
          return;
        } catch (error) {
          if (attempt >= 20) throw error;
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    },
    close: async () => {
      await relay.stop();
      await admin.deleteTopics({ topics: [transport.topicOf('ledger')] }).catch(() => undefined);
      await admin.disconnect();
      await transport.close();
      await ledger.close();
    },
  };
}
