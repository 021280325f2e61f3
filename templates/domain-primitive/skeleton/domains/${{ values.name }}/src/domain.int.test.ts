// The ${{ values.name }} domain on real databases: PGlite (the embedded default) and the test
// Postgres server. Migrations apply, commands commit state and outbox rows together, a repeated
// command with the same idempotency key applies once, and tenants see only their own rows (RLS).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotencyOf } from '@ameide/events';
import { createPgDatabase, createPgliteDatabase, type Database } from '@ameide/persistence';
import { createTestDatabase } from '@ameide/testing';
import { create${{ values.entity }}Domain, type ${{ values.entity }}Domain } from './domain.js';
import { migrateDomain } from './migrate-domain.js';

const engines = ['pglite', 'postgres'] as const;

describe.each(engines)('${{ values.name }} domain (%s)', (engine) => {
  let db: Database;
  let close: () => Promise<void>;
  let domain: ${{ values.entity }}Domain;
  const acme = { tenantId: 'acme', correlationId: 'test-acme' };
  const globex = { tenantId: 'globex', correlationId: 'test-globex' };

  beforeAll(async () => {
    if (engine === 'pglite') {
      db = await createPgliteDatabase();
      close = () => db.close();
    } else {
      const testDb = await createTestDatabase('${{ values.name }}_domain');
      db = createPgDatabase({ url: testDb.url });
      close = async () => {
        await db.close();
        await testDb.drop();
      };
    }
    const result = await migrateDomain(db);
    expect(result.applied.map((m) => m.version)).toEqual([1, 2, 3]);
    domain = create${{ values.entity }}Domain({ db });
  });
  afterAll(() => close());

  it('creates, renames and archives, with one outbox row per event', async () => {
    const created = await domain.create(acme, { title: 'First' });
    const renamed = await domain.rename(acme, created.value.id, 'Second');
    const archived = await domain.archive(acme, created.value.id);
    expect(archived.version).toBe(3n);
    expect((await domain.get(acme, created.value.id)).value).toMatchObject({ title: 'Second', status: 'archived' });
    const { rows } = await db.query<{ type: string }>(
      `SELECT type FROM ${{ values.name }}.outbox WHERE aggregate_id = $1 ORDER BY seq`,
      [created.value.id],
    );
    expect(rows.map((r) => r.type)).toEqual([
      '${{ values.name }}.${{ values.entity | lower }}.created.v1',
      '${{ values.name }}.${{ values.entity | lower }}.renamed.v1',
      '${{ values.name }}.${{ values.entity | lower }}.archived.v1',
    ]);
    expect(renamed.version).toBe(2n);
  });

  it('applies a command repeated with the same idempotency key once', async () => {
    const created = await domain.create(acme, { title: 'Once' });
    const idempotency = idempotencyOf({ key: 'rename-1', command: 'rename', request: 'Twice' });
    const first = await domain.rename({ ...acme, idempotency }, created.value.id, 'Twice');
    const again = await domain.rename({ ...acme, idempotency }, created.value.id, 'Twice');
    expect(again.version).toBe(first.version);
    const { rows } = await db.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM ${{ values.name }}.outbox WHERE aggregate_id = $1`,
      [created.value.id],
    );
    expect(rows[0]?.n).toBe('2');
  });

  it('shows each tenant only its own rows', async () => {
    const mine = await domain.create(globex, { title: 'Globex only' });
    expect((await domain.list(globex)).map((i) => i.value.id)).toEqual([mine.value.id]);
    expect((await domain.list(acme)).some((i) => i.value.id === mine.value.id)).toBe(false);
    await expect(domain.get(acme, mine.value.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refuses a stale expected version as a conflict', async () => {
    const created = await domain.create(acme, { title: 'Race' });
    await domain.rename(acme, created.value.id, 'Won');
    await expect(domain.rename(acme, created.value.id, 'Lost', 1n)).rejects.toMatchObject({ code: 'aborted' });
  });
});
