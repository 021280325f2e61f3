// The projection crash suite: 10,000 events for two tenants are written while the process
// running the projection is SIGKILLed at random points and restarted. Afterwards the read model
// equals a fold of the log: every event applied once (the inbox commits with the changes), in
// aggregate order, none lost.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgDatabase, type Database } from '@ameide/persistence';
import { createTestDatabase, type TestDatabase } from '@ameide/testing';
import { projectionSchema } from '@ameide/projections';
import { credit, foldTally, migrateTally, readTally } from '../testing/tally.js';

const childScript = fileURLToPath(
  new URL('../testing/projection-child.process.ts', import.meta.url),
);
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const schema = projectionSchema('tally-balances');

describe('projection crash suite (postgres, SIGKILLed projection process)', () => {
  let testDb: TestDatabase;
  let db: Database;
  let child: ChildProcess | undefined;
  let kills = 0;

  const start = () =>
    new Promise<void>((resolve, reject) => {
      const proc = spawn(process.execPath, ['--import', 'tsx', childScript], {
        cwd: repoRoot,
        env: { ...process.env, DB_URL: testDb.url },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = proc;
      const errors: string[] = [];
      proc.stderr?.on('data', (c: Buffer) => errors.push(c.toString()));
      proc.stdout?.on('data', (c: Buffer) => {
        if (c.toString().includes('ready')) resolve();
      });
      proc.once('exit', (code, signal) => {
        if (signal !== 'SIGKILL')
          reject(new Error(`projection exited (${code ?? signal}): ${errors.join('')}`));
      });
    });
  const kill = async () => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    kills++;
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill('SIGKILL');
    await exited;
  };

  beforeAll(async () => {
    testDb = await createTestDatabase('projection_crash');
    db = createPgDatabase({ url: testDb.url, pool: { max: 6 } });
    await migrateTally(db);
  });
  afterAll(async () => {
    await kill();
    await db?.close();
    await testDb?.drop();
  });

  it('ends with the read model equal to the fold of the log', { timeout: 600_000 }, async () => {
    await start();
    let writing = true;
    const chaos = (async () => {
      while (writing || kills < 4) {
        await sleep(200 + Math.random() * 1_200);
        await kill();
        await sleep(Math.random() * 200);
        await start();
      }
    })();
    const next = new Map<string, bigint>();
    await Promise.all([
      credit(db, 'acme', { count: 6_000, accounts: 40, perTx: 25, next }),
      credit(db, 'globex', { count: 4_000, accounts: 25, perTx: 20, next }),
    ]);
    writing = false;
    await chaos;

    const deadline = Date.now() + 300_000;
    for (;;) {
      const [acme, globex] = await Promise.all([
        readTally(db, 'acme', schema),
        readTally(db, 'globex', schema),
      ]);
      const credits = [...Object.values(acme), ...Object.values(globex)].reduce(
        (n, a) => n + a.credits,
        0,
      );
      if (credits >= 10_000 || Date.now() > deadline) break;
      await sleep(250);
    }
    expect(kills).toBeGreaterThanOrEqual(4);
    expect(await readTally(db, 'acme', schema)).toEqual(await foldTally(db, 'acme'));
    expect(await readTally(db, 'globex', schema)).toEqual(await foldTally(db, 'globex'));
    const { rows } = await db.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM ${schema}.dead_letters`,
    );
    expect(rows[0]?.n).toBe('0');
  });
});
