// A relay or consumer process for the crash suite: started, SIGKILLed at random
// points and restarted by crash.int.test.ts. Configured by environment:
// ROLE=relay|consumer, DB_URL, NATS_URL, STREAM, SUBJECT_PREFIX, TRANSPORT=nats|postgres, NAME.
import { createPgDatabase } from '@ameide/persistence';
import {
  createConsumer,
  createNatsTransport,
  createPostgresTransport,
  createRelay,
} from '@ameide/events';
import { recordEffect } from './ledger.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
};

const role = env('ROLE');
const nats = () =>
  createNatsTransport({
    servers: env('NATS_URL'),
    stream: env('STREAM'),
    subjectPrefix: env('SUBJECT_PREFIX'),
    ackWaitMs: 1_000,
    name: `${role}-${process.pid}`,
  });

if (role === 'relay') {
  const transport = await nats();
  const relay = createRelay({
    db: createPgDatabase({ url: env('DB_URL'), pool: { max: 1, idleTimeoutMillis: 0 } }),
    domain: 'ledger',
    publisher: transport.publisher!,
    pollMs: 10,
    batchSize: 200,
  });
  relay.start();
} else {
  const db = createPgDatabase({ url: env('DB_URL'), pool: { max: 12 } });
  const name = env('NAME');
  const transport =
    env('TRANSPORT') === 'nats' ? await nats() : createPostgresTransport({ db, pollMs: 20 });
  const consumer = createConsumer({
    name,
    domain: 'ledger',
    transport,
    db,
    schema: 'ledger',
    handle: (event, tx) => recordEffect(name, event, tx),
    waitMs: 200,
    gapRetryMs: 200,
    batchSize: 100,
  });
  await consumer.start();
}
process.stdout.write('ready\n');
