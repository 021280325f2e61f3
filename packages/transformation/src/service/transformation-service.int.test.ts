import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactKind, ArtifactStatus } from '@ameide/proto';
import { isAmeideError, type AmeideClient, type AmeideError } from '@ameide/sdk';
import type { Database } from '@ameide/persistence';
import type { ServiceHost } from '@ameide/server';
import { openMigratedDatabase } from '../testing/store-fixture.js';
import { startTransformationHost } from '../testing/platform-fixture.js';

const text = (s: string) => new TextEncoder().encode(s);

async function refusal(p: Promise<unknown>): Promise<AmeideError> {
  try {
    await p;
  } catch (err) {
    if (isAmeideError(err)) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('TransformationService over the service host (postgres)', () => {
  let db: Database;
  let close: () => Promise<void>;
  let host: ServiceHost;
  let acme: AmeideClient;
  let globex: AmeideClient;

  beforeAll(async () => {
    const opened = await openMigratedDatabase('postgres', 'transformation_api');
    db = opened.db;
    close = opened.close;
    const platform = await startTransformationHost(db);
    host = platform.host;
    acme = await platform.clientFor('acme', 'alice');
    globex = await platform.clientFor('globex', 'mallory');
  });
  afterAll(async () => {
    await host.close();
    await close();
  });

  it('creates, revises with expected_version, publishes and reads back through the SDK', async () => {
    const { artifact } = await acme.transformation.createArtifact({
      kind: ArtifactKind.DOCUMENT,
      name: 'Pricing policy',
      contentType: 'text/markdown',
      content: text('# draft'),
    });
    expect(artifact).toMatchObject({
      status: ArtifactStatus.DRAFT,
      streamVersion: 1n,
      createdBy: 'alice',
    });
    const conflict = await refusal(
      acme.transformation.reviseArtifact({
        artifactId: artifact!.id,
        expectedVersion: 7n,
        content: text('x'),
      }),
    );
    expect(conflict).toMatchObject({
      code: 'aborted',
      conflict: { expectedVersion: 7n, actualVersion: 1n, subjectId: artifact!.id },
    });
    await acme.transformation.reviseArtifact({
      artifactId: artifact!.id,
      expectedVersion: 1n,
      content: text('# final'),
    });
    const { artifact: published } = await acme.transformation.publishArtifact({
      artifactId: artifact!.id,
    });
    expect(published).toMatchObject({
      status: ArtifactStatus.PUBLISHED,
      publishedVersion: 1,
      latestPublishedVersion: 1,
    });
    const { artifact: byName } = await acme.transformation.getArtifact({
      kind: ArtifactKind.DOCUMENT,
      name: 'Pricing policy',
      at: { case: 'publishedVersion', value: 1 },
    });
    expect(new TextDecoder().decode(byName!.content)).toBe('# final');
    const { artifact: atOne } = await acme.transformation.getArtifact({
      artifactId: artifact!.id,
      at: { case: 'streamVersion', value: 1n },
    });
    expect(new TextDecoder().decode(atOne!.content)).toBe('# draft');
    const { events } = await acme.transformation.getArtifactHistory({ artifactId: artifact!.id });
    expect(events.map((e) => e.type)).toEqual([
      'transformation.artifact.created.v1',
      'transformation.artifact.revised.v1',
      'transformation.artifact.published.v1',
    ]);
    expect(events[2]!.publishedVersion).toBe(1);
  });

  it('answers bad input with invalid_argument naming the field', async () => {
    const noKind = await refusal(
      acme.transformation.createArtifact({
        name: 'x',
        contentType: 'text/plain',
        content: text('x'),
      }),
    );
    expect(noKind.code).toBe('invalid_argument');
    expect(noKind.fieldViolations[0]?.field).toBe('kind');
    const badId = await refusal(acme.transformation.getArtifact({ artifactId: 'not-a-uuid' }));
    expect(badId.fieldViolations[0]?.field).toBe('artifact_id');
    const big = await refusal(
      acme.transformation.createArtifact({
        kind: ArtifactKind.DOCUMENT,
        name: 'huge',
        contentType: 'text/plain',
        content: new Uint8Array(4 * 1024 * 1024 + 10),
      }),
    );
    expect(big.code).toBe('invalid_argument');
    expect(big.message).toMatch(/limit is 4\.0 MiB/);
  });

  it('tenant B cannot list, read, revise, publish, archive, watch or even learn the name of tenant A artifacts', async () => {
    const { artifact } = await acme.transformation.createArtifact({
      kind: ArtifactKind.DIAGRAM,
      name: 'Secret merger plan',
      contentType: 'image/svg+xml',
      content: text('<svg/>'),
    });
    const id = artifact!.id;
    const list = await globex.transformation.listArtifacts({});
    expect(list.artifacts.map((a) => a.name)).not.toContain('Secret merger plan');
    const neverExisted = crypto.randomUUID();
    for (const call of [
      (target: string) => globex.transformation.getArtifact({ artifactId: target }),
      (target: string) => globex.transformation.getArtifactHistory({ artifactId: target }),
      (target: string) =>
        globex.transformation.reviseArtifact({
          artifactId: target,
          expectedVersion: 1n,
          content: text('<svg>pwned</svg>'),
        }),
      (target: string) => globex.transformation.publishArtifact({ artifactId: target }),
      (target: string) => globex.transformation.archiveArtifact({ artifactId: target }),
    ]) {
      // The answer for another tenant's artifact is exactly the answer for one that never existed.
      const theirs = await refusal(call(id));
      const none = await refusal(call(neverExisted));
      expect(theirs.code).toBe('not_found');
      expect(theirs.message.replace(id, '<id>')).toBe(none.message.replace(neverExisted, '<id>'));
      expect(theirs.reason).toBe(none.reason);
    }
    const byName = await refusal(
      globex.transformation.getArtifact({ kind: ArtifactKind.DIAGRAM, name: 'Secret merger plan' }),
    );
    const byOtherName = await refusal(
      globex.transformation.getArtifact({ kind: ArtifactKind.DIAGRAM, name: 'No such plan' }),
    );
    expect(byName.code).toBe('not_found');
    expect(byName.message.replace('Secret merger plan', '<n>')).toBe(
      byOtherName.message.replace('No such plan', '<n>'),
    );
    // Creating the same name in its own tenant works: the name's existence does not leak.
    await expect(
      globex.transformation.createArtifact({
        kind: ArtifactKind.DIAGRAM,
        name: 'Secret merger plan',
        contentType: 'image/svg+xml',
        content: text('<svg/>'),
      }),
    ).resolves.toBeDefined();
    const ctrl = new AbortController();
    const seen: string[] = [];
    const watching = (async () => {
      try {
        for await (const change of globex.transformation.watchArtifacts(
          {},
          { signal: ctrl.signal },
        ))
          seen.push(change.artifact!.id);
      } catch {
        // aborted
      }
    })();
    await new Promise((r) => setTimeout(r, 600));
    ctrl.abort();
    await watching;
    expect(seen.length).toBeGreaterThan(0);
    expect(seen).not.toContain(id);
    const { artifact: still } = await acme.transformation.getArtifact({ artifactId: id });
    expect(still!.streamVersion).toBe(1n);
  });

  it('tenant isolation holds in SQL too: the app role sees and changes none of the other tenant rows', async () => {
    await acme.transformation.createArtifact({
      kind: ArtifactKind.DOCUMENT,
      name: 'sql-probe',
      contentType: 'text/plain',
      content: text('a'),
    });
    for (const table of ['outbox', 'snapshots', 'artifacts']) {
      const seen = await db.transaction(async (tx) => {
        await tx.query('SET LOCAL ROLE ameide_app');
        await tx.query(`SELECT set_config('app.tenant_id', 'globex', true)`);
        const rows = await tx.query<{ tenant_id: string }>(
          `SELECT tenant_id FROM transformation.${table}`,
        );
        const changed =
          table === 'outbox'
            ? { rowCount: 0 }
            : await tx.query(
                `UPDATE transformation.${table} SET tenant_id = tenant_id WHERE tenant_id = 'acme'`,
              );
        return { tenants: new Set(rows.rows.map((r) => r.tenant_id)), changed: changed.rowCount };
      });
      expect([...seen.tenants].filter((t) => t !== 'globex')).toEqual([]);
      expect(seen.changed).toBe(0);
    }
  });

  it('watch streams catch-up then live changes with positions that resume', async () => {
    const client = acme;
    const ctrl = new AbortController();
    const got: { name: string; position: string }[] = [];
    const stream = client.transformation.watchArtifacts(
      { kind: ArtifactKind.AGENT_DEFINITION },
      { signal: ctrl.signal },
    );
    const reader = (async () => {
      try {
        for await (const c of stream) {
          got.push({ name: c.artifact!.name, position: c.event!.position });
          if (got.length === 2) ctrl.abort();
        }
      } catch {
        // aborted
      }
    })();
    await client.transformation.createArtifact({
      kind: ArtifactKind.AGENT_DEFINITION,
      name: 'agent-1',
      contentType: 'application/json',
      content: text('{}'),
    });
    await client.transformation.createArtifact({
      kind: ArtifactKind.AGENT_DEFINITION,
      name: 'agent-2',
      contentType: 'application/json',
      content: text('{}'),
    });
    await reader;
    expect(got.map((g) => g.name)).toEqual(['agent-1', 'agent-2']);
    const resumed = client.transformation.watchArtifacts({
      kind: ArtifactKind.AGENT_DEFINITION,
      afterPosition: got[0]!.position,
    });
    for await (const c of resumed) {
      expect(c.artifact!.name).toBe('agent-2');
      break;
    }
  });
});
