import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queryable } from '@ameide/persistence';
import {
  appendToStream,
  comparePositionsForTest,
  readAll,
  START,
  type Position,
} from './test-exports.js';
import { openMigratedDatabase } from '../testing/store-fixture.js';

/**
 * A reader following the global position while writers commit out of order
 * never skips an event: real Postgres, real concurrent transactions, random
 * interleavings of begin / append / commit / rollback / read.
 */

function queryable(client: pg.Client): Queryable {
  return {
    async query<T>(sql: string, params: readonly unknown[] = []) {
      const r = await client.query(sql, params as unknown[]);
      return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
    },
    async exec(sql: string) {
      await client.query(sql);
    },
  };
}

async function tenantTx(client: pg.Client, tenant: string): Promise<void> {
  await client.query('BEGIN');
  await client.query('SET LOCAL ROLE ameide_app');
  await client.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenant]);
}

type Op =
  | { kind: 'append'; writer: number }
  | { kind: 'commit'; writer: number }
  | { kind: 'rollback'; writer: number }
  | { kind: 'read' };

describe('global position on postgres', () => {
  let url: string;
  let close: () => Promise<void>;
  const writers: pg.Client[] = [];
  let reader: pg.Client;

  beforeAll(async () => {
    const opened = await openMigratedDatabase('postgres', 'global_position');
    url = opened.testDb!.url;
    close = opened.close;
    for (let i = 0; i < 4; i++) {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      writers.push(c);
    }
    reader = new pg.Client({ connectionString: url });
    await reader.connect();
  });
  afterAll(async () => {
    for (const c of [...writers, reader]) await c.end();
    await close();
  });

  async function readBatch(position: Position): Promise<{ ids: string[]; position: Position }> {
    await tenantTx(reader, 'acme');
    const events = await readAll(queryable(reader), position, 1000);
    await reader.query('COMMIT');
    return { ids: events.map((e) => e.eventId), position: events.at(-1)?.position ?? position };
  }

  it('a held-open transaction makes the reader wait, never skip', async () => {
    const [a, b] = writers as [pg.Client, pg.Client];
    let position = (await readBatch(START)).position;
    await tenantTx(a, 'acme');
    const [late] = await appendToStream(queryable(a), randomUUID(), 0n, [{ type: 't', data: {} }], {
      tenantId: 'acme',
      actor: 'a',
      correlationId: 'c',
    });
    await tenantTx(b, 'acme');
    const [early] = await appendToStream(
      queryable(b),
      randomUUID(),
      0n,
      [{ type: 't', data: {} }],
      { tenantId: 'acme', actor: 'b', correlationId: 'c' },
    );
    await b.query('COMMIT');
    const whileOpen = await readBatch(position);
    expect(whileOpen.ids).toEqual([]);
    position = whileOpen.position;
    await a.query('COMMIT');
    const after = await readBatch(position);
    expect(after.ids).toEqual([late!.eventId, early!.eventId]);
  });

  it('random interleavings: every committed event is read exactly once, rolled-back ones never', async () => {
    const opArb = fc.oneof(
      fc.record({ kind: fc.constant('append' as const), writer: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ kind: fc.constant('commit' as const), writer: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ kind: fc.constant('rollback' as const), writer: fc.integer({ min: 0, max: 3 }) }),
      fc.constant({ kind: 'read' as const }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 40 }), async (ops: Op[]) => {
        let position = (await readBatch(START)).position;
        const open: (string[] | undefined)[] = [undefined, undefined, undefined, undefined];
        const committed = new Set<string>();
        const rolledBack = new Set<string>();
        const read: string[] = [];
        const positions: Position[] = [];
        const doRead = async () => {
          await tenantTx(reader, 'acme');
          const events = await readAll(queryable(reader), position, 1000);
          await reader.query('COMMIT');
          for (const e of events) {
            read.push(e.eventId);
            positions.push(e.position);
          }
          position = events.at(-1)?.position ?? position;
        };
        for (const op of ops) {
          if (op.kind === 'read') await doRead();
          else if (op.kind === 'append') {
            const w = writers[op.writer]!;
            if (!open[op.writer]) {
              await tenantTx(w, 'acme');
              open[op.writer] = [];
            }
            const [e] = await appendToStream(
              queryable(w),
              randomUUID(),
              0n,
              [{ type: 't', data: {} }],
              { tenantId: 'acme', actor: 'w', correlationId: 'c' },
            );
            open[op.writer]!.push(e!.eventId);
          } else if (open[op.writer]) {
            await writers[op.writer]!.query(op.kind === 'commit' ? 'COMMIT' : 'ROLLBACK');
            for (const id of open[op.writer]!)
              (op.kind === 'commit' ? committed : rolledBack).add(id);
            open[op.writer] = undefined;
          }
        }
        for (let w = 0; w < 4; w++) {
          if (open[w]) {
            await writers[w]!.query('COMMIT');
            for (const id of open[w]!) committed.add(id);
          }
        }
        await doRead();
        expect(new Set(read).size).toBe(read.length);
        expect(new Set(read)).toEqual(committed);
        for (const id of read) expect(rolledBack.has(id)).toBe(false);
        for (let i = 1; i < positions.length; i++)
          expect(comparePositionsForTest(positions[i - 1]!, positions[i]!)).toBe(-1);
      }),
      { numRuns: 60 },
    );
  });
});
