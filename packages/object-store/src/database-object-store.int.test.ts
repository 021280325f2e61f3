import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPgDatabase,
  createPgliteDatabase,
  withTenant,
  type Database,
  type DatabaseKind,
} from '@ameide/persistence';
import { createTestDatabase } from '@ameide/testing';
import {
  createDatabaseObjectStore,
  migrateObjectStore,
  OBJECT_STORE_SCHEMA,
  openObjectStore,
  type ObjectStore,
} from '@ameide/object-store';
import { describeObjectStoreContract } from './object-store-contract.test-support.js';

/** One engine opened for one test file: its own Postgres database, or its own PGlite. */
interface Engine {
  readonly kind: DatabaseKind;
  open(label: string): Promise<{ readonly db: Database; cleanup(): Promise<void> }>;
}

const engines: readonly Engine[] = [
  {
    kind: 'pglite',
    async open() {
      const db = await createPgliteDatabase();
      return { db, cleanup: () => db.close() };
    },
  },
  {
    kind: 'postgres',
    async open(label) {
      const testDb = await createTestDatabase(label);
      const db = createPgDatabase({ url: testDb.url });
      return {
        db,
        cleanup: async () => {
          await db.close();
          await testDb.drop();
        },
      };
    },
  },
];

for (const engine of engines) {
  describeObjectStoreContract(`the database (${engine.kind})`, async () => {
    const { db, cleanup } = await engine.open('object_store_contract');
    await migrateObjectStore(db);
    const store = await createDatabaseObjectStore(db);
    return {
      store,
      open: ({ maxObjectBytes }) => createDatabaseObjectStore(db, { maxObjectBytes }),
      async tamper(tenantId, hash, bytes) {
        // The owner connection (a superuser in tests), outside any tenant transaction.
        const { rowCount } = await db.query(
          `UPDATE ${OBJECT_STORE_SCHEMA}.objects SET bytes = $3 WHERE tenant_id = $1 AND hash = $2`,
          [tenantId, hash, bytes],
        );
        expect(rowCount).toBe(1);
      },
      cleanup,
    };
  });
}

describe.each(engines)('createDatabaseObjectStore on $kind', (engine) => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let store: ObjectStore;
  beforeAll(async () => {
    ({ db, cleanup } = await engine.open('object_store'));
    await migrateObjectStore(db);
    store = await createDatabaseObjectStore(db);
  });
  afterAll(async () => {
    await cleanup?.();
  });

  it('keeps objects in a tenant table under forced row-level security', async () => {
    const { rows } = await db.query<{ rls: boolean; forced: boolean }>(
      `SELECT relrowsecurity AS rls, relforcerowsecurity AS forced FROM pg_class
        WHERE oid = '${OBJECT_STORE_SCHEMA}.objects'::regclass`,
    );
    expect(rows).toEqual([{ rls: true, forced: true }]);
    expect(store.kind).toBe('database');
    expect(store.description).toBe(
      `the ${engine.kind === 'pglite' ? 'PGlite' : 'Postgres'} table object_store.objects`,
    );
  });

  it("shows a tenant's SQL none of another tenant's rows, even when it asks for them by hash", async () => {
    const { hash } = await store.put('rls-a', new TextEncoder().encode('only for a'));
    const seen = await withTenant(db, { tenantId: 'rls-b' }, async (tx) => {
      const byHash = await tx.query(
        `SELECT tenant_id FROM ${OBJECT_STORE_SCHEMA}.objects WHERE hash = $1`,
        [hash],
      );
      const all = await tx.query(`SELECT tenant_id FROM ${OBJECT_STORE_SCHEMA}.objects`);
      return { byHash: byHash.rows, all: all.rows };
    });
    expect(seen).toEqual({ byHash: [], all: [] });
    const own = await withTenant(db, { tenantId: 'rls-a' }, (tx) =>
      tx.query(`SELECT tenant_id FROM ${OBJECT_STORE_SCHEMA}.objects WHERE hash = $1`, [hash]),
    );
    expect(own.rows).toEqual([{ tenant_id: 'rls-a' }]);
  });

  it('refuses, under the app role, a row written for another tenant', async () => {
    const attempt = withTenant(db, { tenantId: 'rls-a' }, (tx) =>
      tx.query(
        `INSERT INTO ${OBJECT_STORE_SCHEMA}.objects (tenant_id, hash, size, content_type, bytes)
         VALUES ('rls-b', $1, 0, 'application/octet-stream', '\\x')`,
        ['0'.repeat(64)],
      ),
    );
    await expect(attempt).rejects.toThrow(/row-level security/);
  });

  it('migrates once: a second run applies nothing', async () => {
    const again = await migrateObjectStore(db);
    expect(again.applied).toEqual([]);
    expect(again.currentVersion).toBe(1);
  });

  it('is what openObjectStore gives for { database: true }, with the schema migrated', async () => {
    const { db: fresh, cleanup: drop } = await engine.open('object_store_open');
    try {
      const opened = await openObjectStore({ database: true, maxObjectBytes: 2048 }, { db: fresh });
      expect(opened.kind).toBe('database');
      expect(opened.maxObjectBytes).toBe(2048);
      const { hash } = await opened.put('acme', new TextEncoder().encode('embedded'));
      expect(new TextDecoder().decode(await opened.get('acme', hash))).toBe('embedded');
    } finally {
      await drop();
    }
  });
});
