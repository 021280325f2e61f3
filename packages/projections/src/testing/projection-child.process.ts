// A projection process for the crash suite: runs the tally projection until it
// is SIGKILLed (and restarted) by projection-crash.int.test.ts. DB_URL names
// the database.
import { createPostgresTransport } from '@ameide/events';
import { createPgDatabase } from '@ameide/persistence';
import { createProjectionRunner } from '../runner/projection-runner.js';
import { tallyProjection } from './tally.js';

const url = process.env['DB_URL'];
if (!url) throw new Error('DB_URL is not set');
const db = createPgDatabase({ url, pool: { max: 6 } });
const runner = createProjectionRunner({
  db,
  definition: tallyProjection(),
  transport: createPostgresTransport({ db, pollMs: 10 }),
  lagIntervalMs: 0,
  batchSize: 100,
  waitMs: 200,
});
await runner.start();
process.stdout.write('ready\n');
