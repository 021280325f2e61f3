// The crash suite: >= 10,000 events across many aggregates and two tenants,
// while two relay processes and two consumer processes (one on NATS, one on
// the Postgres transport) are SIGKILLed at random points and restarted.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { withTenant } from '@ameide/persistence';
import { appendToOutbox, createUnitOfWork, newEventId } from '@ameide/events';
import { deposit, LEDGER } from '../testing/ledger.js';
import {
  natsTransportFor,
  openLedgerDatabase,
  type LedgerDatabase,
} from '../testing/ledger-fixture.js';

const childScript = fileURLToPath(new URL('../testing/crash-child.process.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const STREAM = 'EV_CRASH';
const PREFIX = 'evcrash';

interface Child {
  readonly label: string;
  readonly env: Record<string, string>;
  process: ChildProcess | undefined;
  kills: number;
}

function start(child: Child): Promise<void> {
  const proc = spawn(process.execPath, ['--import', 'tsx', childScript], {
    cwd: repoRoot,
    env: { ...process.env, ...child.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.process = proc;
  const errors: string[] = [];
  proc.stderr?.on('data', (c: Buffer) => errors.push(c.toString()));
  return new Promise((resolve, reject) => {
    proc.stdout?.on('data', (c: Buffer) => {
      if (c.toString().includes('ready')) resolve();
    });
    proc.once('exit', (code, signal) => {
      if (signal !== 'SIGKILL')
        reject(new Error(`${child.label} exited (${code ?? signal}): ${errors.join('')}`));
    });
  });
}

function kill(child: Child): Promise<void> {
  const proc = child.process;
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  child.kills++;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill('SIGKILL');
  return exited;
}

describe('crash suite (postgres + NATS, SIGKILLed relays and consumers)', () => {
  let ledger: LedgerDatabase;
  const children: Child[] = [];

  beforeAll(async () => {
    ledger = await openLedgerDatabase('postgres', 'crash');
    // Creates the stream before the children race to.
    const transport = await natsTransportFor('crash');
    await transport.close();
  });
  afterAll(async () => {
    await Promise.all(children.map(kill));
    const transport = await natsTransportFor('crash');
    await (
      await jetstreamManager(transport.connection)
    ).streams
      .delete(STREAM)
      .catch(() => undefined);
    await transport.close();
    await ledger.close();
  });

  it(
    'delivers every committed event exactly once per consumer, in aggregate order, and nothing of a rolled-back transaction',
    { timeout: 600_000 },
    async () => {
      const base = {
        DB_URL: ledger.url!,
        NATS_URL: inject('natsUrl'),
        STREAM,
        SUBJECT_PREFIX: PREFIX,
      };
      children.push(
        { label: 'relay-1', env: { ...base, ROLE: 'relay' }, process: undefined, kills: 0 },
        { label: 'relay-2', env: { ...base, ROLE: 'relay' }, process: undefined, kills: 0 },
        {
          label: 'consumer-nats',
          env: { ...base, ROLE: 'consumer', TRANSPORT: 'nats', NAME: 'c_nats' },
          process: undefined,
          kills: 0,
        },
        {
          label: 'consumer-pg',
          env: { ...base, ROLE: 'consumer', TRANSPORT: 'postgres', NAME: 'c_pg' },
          process: undefined,
          kills: 0,
        },
      );
      await Promise.all(children.map(start));

      // Every process has its own chaos loop: killed at a random point of its
      // work, restarted, killed again ... while events are written and while
      // the consumers catch up afterwards.
      let chaosOn = true;
      const chaos = Promise.all(
        children.map(async (child) => {
          while (chaosOn) {
            await sleep(300 + Math.random() * 2_000);
            if (!chaosOn) break;
            await kill(child);
            await sleep(Math.random() * 300);
            await start(child);
          }
        }),
      );

      const uow = createUnitOfWork({ db: ledger.db, domain: 'ledger' });
      const rolledBack: string[] = [];
      const writers = Array.from({ length: 16 }, async (_, w) => {
        for (let i = 0; i < 660; i++) {
          const tenantId = (w + i) % 2 ? 'acme' : 'globex';
          const account = `acc-${(w * 31 + i * 7) % 200}`;
          if (i % 50 === 25) {
            // A transaction that wrote outbox rows and then rolled back.
            const id = newEventId();
            rolledBack.push(id);
            await withTenant(ledger.db, { tenantId }, async (tx) => {
              await appendToOutbox(tx, LEDGER, [
                {
                  eventId: id,
                  tenantId,
                  domain: 'ledger',
                  aggregateType: 'account',
                  aggregateId: `ghost-${w}-${i}`,
                  aggregateVersion: 1n,
                  type: 'ledger.account.opened.v1',
                  schemaVersion: 1,
                  occurredAt: new Date(),
                  correlationId: 'c',
                  causationId: undefined,
                  payload: {},
                },
              ]);
              throw new Error('roll back');
            }).catch(() => undefined);
            continue;
          }
          await deposit(uow, tenantId, account, 1);
        }
      });
      await Promise.all(writers);
      const committed = Number(
        (await ledger.db.query<{ n: bigint }>(`SELECT count(*) AS n FROM ledger.outbox`)).rows[0]!
          .n,
      );
      const count = async (consumer: string) =>
        Number(
          (
            await ledger.db.query<{ n: bigint }>(
              `SELECT count(*) AS n FROM ledger.effects WHERE consumer = $1`,
              [consumer],
            )
          ).rows[0]!.n,
        );
      // Keep killing while the consumers catch up, until they are half-way.
      const chaosDeadline = Date.now() + 60_000;
      while (
        Date.now() < chaosDeadline &&
        Math.min(await count('c_nats'), await count('c_pg')) < committed / 2
      )
        await sleep(250);
      chaosOn = false;
      await chaos;
      expect(committed).toBeGreaterThanOrEqual(10_000);
      const deadline = Date.now() + 300_000;
      while (
        Date.now() < deadline &&
        ((await count('c_nats')) < committed || (await count('c_pg')) < committed)
      )
        await sleep(250);

      for (const consumer of ['c_nats', 'c_pg']) {
        const { rows } = await ledger.db.query<{
          effects: bigint;
          distinct_events: bigint;
          inbox: bigint;
          missing: bigint;
          ghosts: bigint;
        }>(
          `SELECT (SELECT count(*) FROM ledger.effects WHERE consumer = $1) AS effects,
                (SELECT count(DISTINCT event_id) FROM ledger.effects WHERE consumer = $1) AS distinct_events,
                (SELECT count(*) FROM ledger.inbox WHERE consumer = $1) AS inbox,
                (SELECT count(*) FROM ledger.outbox o WHERE NOT EXISTS (SELECT 1 FROM ledger.effects e WHERE e.consumer = $1 AND e.event_id = o.event_id)) AS missing,
                (SELECT count(*) FROM ledger.effects WHERE consumer = $1 AND event_id = ANY($2::uuid[])) AS ghosts`,
          [consumer, rolledBack],
        );
        expect({ consumer, ...rows[0] }).toEqual({
          consumer,
          effects: BigInt(committed),
          distinct_events: BigInt(committed),
          inbox: BigInt(committed),
          missing: 0n,
          ghosts: 0n,
        });
        // Per aggregate, effects ran in version order 1, 2, 3, ...
        const disorder = await ledger.db.query(
          `SELECT tenant_id, account_id FROM (
           SELECT tenant_id, account_id, version, row_number() OVER (PARTITION BY tenant_id, account_id ORDER BY applied_seq) AS n
             FROM ledger.effects WHERE consumer = $1) x
          WHERE version <> n LIMIT 5`,
          [consumer],
        );
        expect(disorder.rows).toEqual([]);
      }
      const dead = await ledger.db.query(`SELECT count(*) AS n FROM ledger.dead_letters`);
      expect(dead.rows[0]).toEqual({ n: 0n });
      // Re-publication after relay crashes was deduped by msgID: the stream holds each event once.
      const transport = await natsTransportFor('crash');
      const info = await (await jetstreamManager(transport.connection)).streams.info(STREAM);
      await transport.close();
      expect(info.state.messages).toBe(committed);
      expect(children.reduce((n, c) => n + c.kills, 0)).toBeGreaterThan(4);
      console.info(
        `crash suite: ${committed} committed events, ${rolledBack.length} rolled back, kills: ${children.map((c) => `${c.label}=${c.kills}`).join(' ')}`,
      );
    },
  );
});
