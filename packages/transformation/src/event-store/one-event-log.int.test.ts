import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAmeideError } from '@ameide/errors';
import {
  createPgDatabase,
  createPgliteDatabase,
  ensureAppRole,
  loadMigrations,
  migrate,
  migratePlatform,
  withTenant,
  type Database,
  type Queryable,
} from '@ameide/persistence';
import { createTestDatabase, type TestDatabase } from '@ameide/testing';
import {
  createArtifactStore,
  loadArtifact,
  migrateTransformation,
  readAll,
  readStream,
  TRANSFORMATION_SCHEMA,
} from '@ameide/transformation';
import { engines } from '../testing/store-fixture.js';

/**
 * V4__one_event_log: a database that ran the old migration set (V1, artifact
 * events in `transformation.events`) and holds artifact history reads the
 * same history after the new set moved it into the events kit's log.
 */

const migrationsDir = fileURLToPath(new URL('../../migrations', import.meta.url));

/** An event as the old event store wrote it (its `appendToStream`). */
async function oldAppend(
  tx: Queryable,
  e: {
    tenant: string;
    stream: string;
    version: bigint;
    type: string;
    data: Record<string, unknown>;
    payload?: Uint8Array;
    actor: string;
    causationId?: string;
  },
): Promise<void> {
  await tx.query(
    e.version === 1n
      ? `INSERT INTO transformation.streams (tenant_id, stream_id, version) VALUES ($1, $2, 1)`
      : `UPDATE transformation.streams SET version = $3 WHERE stream_id = $2 AND tenant_id = $1`,
    e.version === 1n ? [e.tenant, e.stream] : [e.tenant, e.stream, e.version],
  );
  await tx.query(
    `INSERT INTO transformation.events
       (event_id, tenant_id, stream_id, stream_version, type, schema_version, data, payload, actor, correlation_id, causation_id)
     VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $8, $9, $10)`,
    [
      randomUUID(),
      e.tenant,
      e.stream,
      e.version,
      e.type,
      JSON.stringify(e.data),
      e.payload ?? null,
      e.actor,
      `corr-${e.version}`,
      e.causationId ?? null,
    ],
  );
}

interface OldEvent {
  event_id: string;
  stream_id: string;
  stream_version: string;
  type: string;
  data: Record<string, unknown>;
  payload: Uint8Array | null;
  actor: string;
  correlation_id: string;
  causation_id: string | null;
  occurred_at: Date;
  tx: string;
  global_seq: string;
}

/**
 * The old global reader's order (the old event store's `readAll`), without its
 * `pg_snapshot_xmin` bound: every transaction that wrote here has ended, but
 * other test files' open transactions on the same server hold that bound back.
 */
async function oldReadAll(q: Queryable): Promise<OldEvent[]> {
  const { rows } = await q.query<OldEvent>(
    `SELECT event_id, stream_id::text, stream_version::text, type, data, payload, actor, correlation_id,
            causation_id, occurred_at, transaction_id::text AS tx, global_seq::text
       FROM transformation.events
      ORDER BY transaction_id, global_seq`,
  );
  return rows;
}

const bytes = (s: string) => new TextEncoder().encode(s);

/**
 * `readAll` from the start once it shows all `n` events of the tenant: the
 * reader stays below `pg_snapshot_xmin`, which other test files' transactions
 * on the same server hold back for a moment.
 */
async function readAllSettled(db: Database, tenantId: string, n: number) {
  for (let attempt = 0; ; attempt++) {
    const events = await withTenant(db, { tenantId }, (tx) => readAll(tx));
    if (events.length >= n || attempt === 200) return events;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.each(engines)('V4__one_event_log on %s', (engine) => {
  let db: Database;
  let testDb: TestDatabase | undefined;
  const before = new Map<string, OldEvent[]>();
  const a = randomUUID();
  const b = randomUUID();
  const c = randomUUID();

  beforeAll(async () => {
    if (engine === 'pglite') db = await createPgliteDatabase();
    else {
      testDb = await createTestDatabase('one_event_log');
      db = createPgDatabase({ url: testDb.url, pool: { max: 4 } });
    }
    // The old migration set: V1 only.
    await ensureAppRole(db);
    await migratePlatform(db);
    const v1 = (await loadMigrations(migrationsDir, TRANSFORMATION_SCHEMA)).filter(
      (m) => m.version === 1,
    );
    await migrate(db, { schema: TRANSFORMATION_SCHEMA, migrations: v1 });

    const history = [
      {
        tenant: 'acme',
        stream: a,
        type: 'artifact.created.v1',
        data: { kind: 'document', name: 'A', contentType: 'text/plain', contentHash: 'h0' },
        payload: bytes('a0'),
      },
      {
        tenant: 'globex',
        stream: b,
        type: 'artifact.created.v1',
        data: { kind: 'document', name: 'B', contentType: 'text/plain', contentHash: 'h1' },
        payload: bytes('b0'),
      },
      {
        tenant: 'acme',
        stream: a,
        type: 'artifact.revised.v1',
        data: { contentType: 'text/plain', contentHash: 'h2' },
        payload: bytes('a1'),
      },
      {
        tenant: 'acme',
        stream: a,
        type: 'artifact.published.v1',
        data: { version: 1, contentHash: 'h2', planHash: 'p' },
        payload: new Uint8Array([0, 255, 7]),
      },
      {
        tenant: 'acme',
        stream: c,
        type: 'artifact.created.v1',
        data: { kind: 'document', name: 'C', contentType: 'text/plain', contentHash: 'h3' },
        payload: bytes('c0'),
      },
      { tenant: 'globex', stream: b, type: 'artifact.archived.v1', data: {}, causationId: 'cause' },
      {
        tenant: 'acme',
        stream: a,
        type: 'artifact.revised.v1',
        data: { contentType: 'text/plain', contentHash: 'h4' },
        payload: bytes('a2'),
      },
    ];
    const versions = new Map<string, bigint>();
    // One transaction per event, and one with two streams: positions of several shapes.
    for (const [i, e] of history.entries()) {
      const write = async (tx: Queryable, ev: (typeof history)[number]) => {
        const version = (versions.get(ev.stream) ?? 0n) + 1n;
        versions.set(ev.stream, version);
        await oldAppend(tx, { ...ev, version, actor: `${ev.tenant}-user` });
      };
      if (i === 3) {
        const next = history[4]!;
        await withTenant(db, { tenantId: 'acme' }, async (tx) => {
          await write(tx, e);
          await write(tx, next);
        });
      } else if (i !== 4) {
        await withTenant(db, { tenantId: e.tenant }, (tx) => write(tx, e));
      }
    }
    for (const tenant of ['acme', 'globex'])
      before.set(tenant, await withTenant(db, { tenantId: tenant }, oldReadAll));

    // The new migration set on the same database.
    await migrateTransformation(db);
  });
  afterAll(async () => {
    await db.close();
    await testDb?.drop();
  });

  it('moves every event, in the same order, with the same positions, ids and content', async () => {
    expect(before.get('acme')).toHaveLength(5);
    expect(before.get('globex')).toHaveLength(2);
    for (const tenant of ['acme', 'globex']) {
      const after = await readAllSettled(db, tenant, before.get(tenant)!.length);
      expect(
        after.map((e) => ({
          eventId: e.eventId,
          streamId: e.streamId,
          streamVersion: e.streamVersion.toString(),
          type: e.type,
          data: e.data,
          payload: e.payload ? [...e.payload] : null,
          actor: e.actor,
          correlationId: e.correlationId,
          causationId: e.causationId ?? null,
          occurredAt: e.occurredAt.toISOString(),
          position: `${e.position.transactionId}:${e.position.seq}`,
        })),
      ).toEqual(
        before.get(tenant)!.map((o) => ({
          eventId: o.event_id,
          streamId: o.stream_id,
          streamVersion: o.stream_version,
          type: `transformation.${o.type}`,
          data: o.data,
          payload: o.payload ? [...o.payload] : null,
          actor: o.actor,
          correlationId: o.correlation_id,
          causationId: o.causation_id,
          occurredAt: o.occurred_at.toISOString(),
          position: `${o.tx}:${o.global_seq}`,
        })),
      );
    }
  });

  it('reads each stream and folds each artifact as before; the old tables are gone', async () => {
    await withTenant(db, { tenantId: 'acme' }, async (tx) => {
      expect((await readStream(tx, a)).map((e) => e.streamVersion)).toEqual([1n, 2n, 3n, 4n]);
      const state = await loadArtifact(tx, a, { useSnapshots: false });
      expect(state).toMatchObject({
        name: 'A',
        status: 'draft',
        streamVersion: 4n,
        draftRevision: 1,
      });
      expect(new TextDecoder().decode(state!.content)).toBe('a2');
      expect(state!.published).toMatchObject([{ version: 1, planHash: 'p', streamVersion: 3n }]);
      // Another tenant's stream does not exist here.
      expect(await readStream(tx, b)).toEqual([]);
    });
    const b1 = await withTenant(db, { tenantId: 'globex' }, (tx) => loadArtifact(tx, b));
    expect(b1).toMatchObject({ status: 'archived', streamVersion: 2n });
    const { rows } = await db.query<{ events: string | null; streams: string | null }>(
      `SELECT to_regclass('transformation.events')::text AS events, to_regclass('transformation.streams')::text AS streams`,
    );
    expect(rows[0]).toEqual({ events: null, streams: null });
  });

  it('appends after the moved history: next stream version, a later position, stale versions conflict', async () => {
    const store = createArtifactStore({ db });
    const alice = { tenantId: 'acme', userId: 'alice' };
    const stale = await store
      .revise(alice, { artifactId: a, expectedVersion: 3n, content: bytes('x') })
      .catch((e: unknown) => e);
    expect(isAmeideError(stale) && stale.code).toBe('aborted');
    const revised = await store.revise(alice, {
      artifactId: a,
      expectedVersion: 4n,
      content: bytes('a3'),
    });
    expect(revised.streamVersion).toBe(5n);
    const all = await readAllSettled(db, 'acme', 6);
    expect(all).toHaveLength(6);
    const last = all.at(-1)!;
    expect(last).toMatchObject({
      streamId: a,
      streamVersion: 5n,
      type: 'transformation.artifact.revised.v1',
    });
    const maxOldSeq = Math.max(...before.get('acme')!.map((o) => Number(o.global_seq)));
    expect(Number(last.position.seq)).toBeGreaterThan(maxOldSeq);
  });
});
