import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createPgDatabase, withTenant } from '@ameide/persistence';
import {
  appendToStream,
  ArtifactEventType,
  evolve,
  loadArtifact,
  migrateTransformation,
  saveSnapshot,
  sha256Hex,
  type ArtifactState,
} from '@ameide/transformation';
import { compare, medianMs, report } from './lib/measure.js';
import { benchPostgres } from './lib/postgres.js';

const meta = { tenantId: 'acme', actor: 'bench', correlationId: 'bench' };
const body = new TextEncoder().encode(JSON.stringify({ text: 'x'.repeat(200) }));
const revised = {
  type: ArtifactEventType.Revised,
  data: { contentType: 'application/json', contentHash: sha256Hex(body) },
  payload: body,
};

/**
 * Event store: append throughput (one stream; 100 streams) vs a plain INSERT
 * of the same rows; loading a 10,000-event artifact with vs without snapshots.
 */
export async function benchTransformation(): Promise<void> {
  const server = await benchPostgres('transformation');
  const db = createPgDatabase({ url: server.url, pool: { max: 8 } });
  const raw = new pg.Pool({ connectionString: server.url, max: 8 });
  try {
    await migrateTransformation(db);
    const plainInsert = async () => {
      const c = await raw.connect();
      try {
        await c.query('BEGIN');
        await c.query(
          `INSERT INTO transformation.outbox (event_id, tenant_id, aggregate_type, aggregate_id, aggregate_version, type,
             schema_version, payload, attachment, actor, correlation_id, occurred_at)
           VALUES ($1, 'acme', 'artifact', $2, 1, $3, 1, $4, $5, 'bench', 'bench', now())`,
          [randomUUID(), randomUUID(), revised.type, JSON.stringify(revised.data), body],
        );
        await c.query('COMMIT');
      } finally {
        c.release();
      }
    };

    // One stream: appends are serial by nature (each expects the previous version).
    const one = randomUUID();
    let oneVersion = 0n;
    const appendOne = async () => {
      const events =
        oneVersion === 0n ? [{ ...revised, type: ArtifactEventType.Created }] : [revised];
      await withTenant(db, { tenantId: 'acme' }, (tx) =>
        appendToStream(tx, one, oneVersion, events, meta),
      );
      oneVersion++;
    };
    const r1 = await compare(plainInsert, appendOne, { opsPerRound: 400, concurrency: 1 });
    report(
      'append, one stream (1 writer)',
      r1.candidate.opsPerSec,
      'events/s',
      r1.timeRatio,
      'plain INSERT (time per event)',
    );

    // 100 streams, 8 writers: a writer never touches a stream another writer holds.
    const streams = Array.from({ length: 100 }, () => ({ id: randomUUID(), version: 0n }));
    let next = 0;
    const appendMany = async () => {
      const s = streams[next++ % streams.length]!;
      const events =
        s.version === 0n ? [{ ...revised, type: ArtifactEventType.Created }] : [revised];
      const expected = s.version;
      s.version++;
      await withTenant(db, { tenantId: 'acme' }, (tx) =>
        appendToStream(tx, s.id, expected, events, meta),
      );
    };
    const r100 = await compare(plainInsert, appendMany, { opsPerRound: 800, concurrency: 8 });
    report(
      'append, 100 streams (8 writers)',
      r100.candidate.opsPerSec,
      'events/s',
      r100.timeRatio,
      'plain INSERT (time per event)',
    );

    // A 10,000-event artifact, snapshotted every 100 events as the store does.
    const id = randomUUID();
    await withTenant(db, { tenantId: 'acme' }, async (tx) => {
      let state: ArtifactState | undefined;
      for (let v = 0n; v < 10_000n; v += 100n) {
        const batch = Array.from({ length: 100 }, (_, i) =>
          v === 0n && i === 0
            ? {
                type: ArtifactEventType.Created,
                data: {
                  kind: 'document',
                  name: 'long',
                  contentType: 'application/json',
                  contentHash: sha256Hex(body),
                },
                payload: body,
              }
            : revised,
        );
        for (const e of await appendToStream(tx, id, v, batch, meta)) state = evolve(state, e);
        await saveSnapshot(tx, 'acme', state!);
      }
    });
    const load = (useSnapshots: boolean) => () =>
      withTenant(db, { tenantId: 'acme' }, (tx) => loadArtifact(tx, id, { useSnapshots }));
    await load(false)();
    const without = await medianMs(load(false), 5);
    const withSnap = await medianMs(load(true), 15);
    report('load 10,000-event artifact, no snapshots', without, 'ms', 1, 'itself');
    report(
      'load 10,000-event artifact, with snapshots',
      withSnap,
      'ms',
      withSnap / without,
      'without snapshots (goal <= 0.1)',
    );
  } finally {
    await raw.end();
    await db.close();
    await server.stop();
  }
}
