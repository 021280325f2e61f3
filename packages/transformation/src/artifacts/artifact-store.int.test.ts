import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAmeideError, type AmeideError } from '@ameide/errors';
import { withTenant, type Database } from '@ameide/persistence';
import {
  ArtifactStatus,
  createArtifactStore,
  loadArtifact,
  MAX_CONTENT_BYTES,
  type Actor,
  type ArtifactStore,
} from '@ameide/transformation';
import { engines, openMigratedDatabase } from '../testing/store-fixture.js';

const alice: Actor = { tenantId: 'acme', userId: 'alice' };
const bob: Actor = { tenantId: 'globex', userId: 'bob' };
const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

async function failure(p: Promise<unknown>): Promise<AmeideError> {
  try {
    await p;
  } catch (err) {
    if (isAmeideError(err)) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe.each(engines)('artifact store on %s', (engine) => {
  let db: Database;
  let store: ArtifactStore;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const opened = await openMigratedDatabase(engine, 'artifact_store');
    db = opened.db;
    close = opened.close;
    store = createArtifactStore({ db, snapshotEvery: 3 });
  });
  afterAll(() => close());

  it('runs the lifecycle: create, revise, publish, revise, publish, archive', async () => {
    const created = await store.create(alice, {
      kind: 'document',
      name: 'Onboarding',
      contentType: 'text/markdown',
      content: text('# v0'),
    });
    expect(created).toMatchObject({
      status: 'draft',
      streamVersion: 1n,
      draftRevision: 0,
      createdBy: 'alice',
    });
    const r1 = await store.revise(alice, {
      artifactId: created.id,
      expectedVersion: 1n,
      content: text('# v1'),
    });
    expect(r1).toMatchObject({ status: 'draft', streamVersion: 2n, draftRevision: 1 });
    const p1 = await store.publish(alice, { artifactId: created.id });
    expect(p1.status).toBe('published');
    expect(p1.published.map((p) => p.version)).toEqual([1]);
    const again = await failure(store.publish(alice, { artifactId: created.id }));
    expect(again).toMatchObject({ code: 'failed_precondition', reason: 'NOTHING_TO_PUBLISH' });
    const r2 = await store.revise(alice, {
      artifactId: created.id,
      expectedVersion: 3n,
      content: text('# v2'),
    });
    expect(r2).toMatchObject({ status: 'draft', draftRevision: 1 });
    await store.publish(alice, { artifactId: created.id, expectedVersion: 4n });
    const v1 = await store.get(alice, { id: created.id }, { publishedVersion: 1 });
    expect(str(v1.state.content)).toBe('# v1');
    expect(v1.publishedVersion?.contentHash).toBe(v1.state.contentHash);
    const latest = await store.get(
      alice,
      { kind: 'document', name: 'Onboarding' },
      { latestPublished: true },
    );
    expect(str(latest.state.content)).toBe('# v2');
    expect(latest.publishedVersion?.version).toBe(2);
    const archived = await store.archive(alice, { artifactId: created.id });
    expect(archived.status).toBe(ArtifactStatus.Archived);
    const late = await failure(
      store.revise(alice, { artifactId: created.id, expectedVersion: 6n, content: text('x') }),
    );
    expect(late).toMatchObject({ code: 'failed_precondition', reason: 'ARTIFACT_ARCHIVED' });
    const history = await store.history(alice, created.id);
    expect(history.map((e) => e.type)).toEqual([
      'transformation.artifact.created.v1',
      'transformation.artifact.revised.v1',
      'transformation.artifact.published.v1',
      'transformation.artifact.revised.v1',
      'transformation.artifact.published.v1',
      'transformation.artifact.archived.v1',
    ]);
    expect(
      history.every((e) => e.tenantId === 'acme' && e.actor === 'alice' && e.correlationId !== ''),
    ).toBe(true);
  });

  it('keeps names unique per tenant and kind, not across tenants or kinds', async () => {
    await store.create(alice, {
      kind: 'diagram',
      name: 'Landscape',
      contentType: 'image/svg+xml',
      content: text('<svg/>'),
    });
    const dup = await failure(
      store.create(alice, {
        kind: 'diagram',
        name: 'Landscape',
        contentType: 'image/svg+xml',
        content: text('<svg/>'),
      }),
    );
    expect(dup).toMatchObject({ code: 'already_exists', reason: 'ARTIFACT_NAME_TAKEN' });
    await expect(
      store.create(alice, {
        kind: 'document',
        name: 'Landscape',
        contentType: 'text/plain',
        content: text('x'),
      }),
    ).resolves.toBeDefined();
    await expect(
      store.create(bob, {
        kind: 'diagram',
        name: 'Landscape',
        contentType: 'image/svg+xml',
        content: text('<svg/>'),
      }),
    ).resolves.toBeDefined();
  });

  it('20 concurrent writers: accepted revisions get distinct versions, no event lost, losers get aborted with versions', async () => {
    const a = await store.create(alice, {
      kind: 'document',
      name: 'Contended',
      contentType: 'text/plain',
      content: text('0'),
    });
    const accepted: bigint[] = [];
    const refused: AmeideError[] = [];
    await Promise.all(
      Array.from({ length: 20 }, async (_, w) => {
        for (let attempt = 0; attempt < 3; attempt++) {
          const { state } = await store.get(alice, { id: a.id });
          try {
            const s = await store.revise(alice, {
              artifactId: a.id,
              expectedVersion: state.streamVersion,
              content: text(`w${w}a${attempt}`),
            });
            accepted.push(s.streamVersion);
          } catch (err) {
            if (!isAmeideError(err)) throw err;
            refused.push(err);
          }
        }
      }),
    );
    expect(accepted.length).toBeGreaterThan(0);
    expect(new Set(accepted).size).toBe(accepted.length);
    const history = await store.history(alice, a.id);
    expect(history).toHaveLength(1 + accepted.length);
    expect(history.map((e) => e.streamVersion)).toEqual(history.map((_, i) => BigInt(i + 1)));
    const accepted_contents = new Set(history.slice(1).map((e) => e.data['contentHash']));
    expect(accepted_contents.size).toBe(accepted.length);
    expect(refused.length).toBe(60 - accepted.length);
    for (const r of refused) {
      expect(r.code).toBe('aborted');
      expect(r.conflict).toBeDefined();
      expect(r.conflict!.actualVersion).toBeGreaterThan(r.conflict!.expectedVersion);
    }
  });

  it('time travel: reading at each stream version returns exactly what was written then (snapshots on and off)', async () => {
    const a = await store.create(alice, {
      kind: 'document',
      name: 'Travel',
      contentType: 'text/plain',
      content: text('rev-0'),
    });
    let version = a.streamVersion;
    const written = new Map<bigint, string>([[1n, 'rev-0']]);
    for (let i = 1; i <= 11; i++) {
      if (i === 5) {
        version = (await store.publish(alice, { artifactId: a.id })).streamVersion;
        written.set(version, written.get(version - 1n)!);
        continue;
      }
      const s = await store.revise(alice, {
        artifactId: a.id,
        expectedVersion: version,
        content: text(`rev-${i}`),
      });
      version = s.streamVersion;
      written.set(version, `rev-${i}`);
    }
    const snapshots = await db.query<{ n: bigint }>(
      `SELECT count(*)::int8 AS n FROM transformation.snapshots WHERE stream_id = $1`,
      [a.id],
    );
    expect(Number(snapshots.rows[0]!.n)).toBeGreaterThanOrEqual(3);
    for (const [v, content] of written) {
      const view = await store.get(alice, { id: a.id }, { streamVersion: v });
      expect(str(view.state.content)).toBe(content);
      expect(view.state.streamVersion).toBe(v);
      const [withSnap, without] = await withTenant(db, { tenantId: 'acme' }, async (tx) => [
        await loadArtifact(tx, a.id, { upTo: v }),
        await loadArtifact(tx, a.id, { upTo: v, useSnapshots: false }),
      ]);
      expect(withSnap).toEqual(without);
    }
    const out = await failure(store.get(alice, { id: a.id }, { streamVersion: version + 1n }));
    expect(out.code).toBe('out_of_range');
  });

  it('published versions never change', async () => {
    const a = await store.create(alice, {
      kind: 'agent_definition',
      name: 'Triage',
      contentType: 'application/json',
      content: text('{"model":"a"}'),
    });
    await store.publish(alice, { artifactId: a.id });
    const before = await store.get(alice, { id: a.id }, { publishedVersion: 1 });
    await store.revise(alice, {
      artifactId: a.id,
      expectedVersion: 2n,
      content: text('{"model":"b"}'),
    });
    const after = await store.get(alice, { id: a.id }, { publishedVersion: 1 });
    expect(str(after.state.content)).toBe('{"model":"a"}');
    expect(after.publishedVersion).toEqual(before.publishedVersion);
    // Not even the app role can rewrite or delete history.
    for (const sql of [
      `UPDATE transformation.outbox SET attachment = 'x' WHERE aggregate_id = $1`,
      `DELETE FROM transformation.outbox WHERE aggregate_id = $1`,
    ]) {
      await expect(
        withTenant(db, { tenantId: 'acme' }, (tx) => tx.query(sql, [a.id])),
      ).rejects.toThrow(/permission denied/);
    }
    const still = await store.get(alice, { id: a.id }, { publishedVersion: 1 });
    expect(str(still.state.content)).toBe('{"model":"a"}');
  });

  it('refuses oversized and malformed content with a clear error, writing nothing', async () => {
    const big = new Uint8Array(MAX_CONTENT_BYTES + 1).fill(65);
    const tooBig = await failure(
      store.create(alice, {
        kind: 'document',
        name: 'Huge',
        contentType: 'text/plain',
        content: big,
      }),
    );
    expect(tooBig.code).toBe('invalid_argument');
    expect(tooBig.fieldViolations[0]).toMatchObject({ field: 'content' });
    expect(tooBig.message).toMatch(/4\.0 MiB/);
    const badJson = await failure(
      store.create(alice, {
        kind: 'agent_definition',
        name: 'Broken',
        contentType: 'application/json',
        content: text('{nope'),
      }),
    );
    expect(badJson.fieldViolations[0]).toMatchObject({ field: 'content' });
    expect(badJson.fieldViolations[0]!.description).toMatch(/not valid JSON/);
    const badName = await failure(
      store.create(alice, {
        kind: 'document',
        name: '',
        contentType: 'text/plain',
        content: text('x'),
      }),
    );
    expect(badName.fieldViolations[0]).toMatchObject({ field: 'name', description: 'required' });
    const list = await store.list(alice, { kind: 'document' });
    expect(list.artifacts.map((x) => x.name)).not.toContain('Huge');
    expect(
      (await store.list(alice, { kind: 'agent_definition' })).artifacts.map((x) => x.name),
    ).not.toContain('Broken');
  });

  it('lists with filters and pages through every artifact exactly once', async () => {
    for (let i = 0; i < 7; i++) {
      await store.create(bob, {
        kind: 'extension_definition',
        name: `ext-${i}`,
        contentType: 'application/json',
        content: text('{}'),
      });
    }
    const names: string[] = [];
    let token = '';
    do {
      const page = await store.list(bob, {
        kind: 'extension_definition',
        pageSize: 3,
        ...(token ? { pageToken: token } : {}),
      });
      names.push(...page.artifacts.map((x) => x.name));
      token = page.nextPageToken;
    } while (token);
    expect(names).toEqual(['ext-0', 'ext-1', 'ext-2', 'ext-3', 'ext-4', 'ext-5', 'ext-6']);
    const drafts = await store.list(bob, { status: 'published' });
    expect(drafts.artifacts).toHaveLength(0);
    await expect(store.list(bob, { pageToken: 'garbage' })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
  });

  it('watch: catches up, then delivers live changes of its own tenant only', async () => {
    const ctrl = new AbortController();
    const seen: string[] = [];
    const changes = store.watch(alice, { signal: ctrl.signal, kind: 'process_definition' });
    const iterator = changes[Symbol.asyncIterator]();
    const first = await store.create(alice, {
      kind: 'process_definition',
      name: 'Watched',
      contentType: 'text/plain',
      content: text('a'),
    });
    await store.create(bob, {
      kind: 'process_definition',
      name: 'Other tenant',
      contentType: 'text/plain',
      content: text('b'),
    });
    await store.revise(alice, { artifactId: first.id, expectedVersion: 1n, content: text('c') });
    while (seen.length < 2) {
      const next = await iterator.next();
      if (next.done) break;
      expect(next.value.artifact.kind).toBe('process_definition');
      seen.push(`${next.value.artifact.name}@${next.value.event.streamVersion}`);
    }
    ctrl.abort();
    expect(seen).toEqual(['Watched@1', 'Watched@2']);
  });
});
