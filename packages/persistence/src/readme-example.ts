import assert from 'node:assert/strict';
import {
  createPgliteDatabase,
  createTenantStore,
  ensureAppRole,
  migrate,
  migratePlatform,
} from '@ameide/persistence';

// Embedded default: PGlite in memory. Against a server: createPgDatabase({ url }).
const db = await createPgliteDatabase();

// At deploy time, with the owner (migration) connection:
await ensureAppRole(db); // role ameide_app: no superuser, no BYPASSRLS, owns nothing
await migratePlatform(db); // installs ameide.enable_tenant_rls(table)
await migrate(db, {
  schema: 'sales',
  // Usually: migrations: await loadMigrations('<package>/migrations')
  migrations: [
    {
      version: 1,
      name: 'create_orders',
      sql: `
        CREATE TABLE orders (tenant_id text NOT NULL, id serial, total numeric NOT NULL, PRIMARY KEY (tenant_id, id));
        SELECT ameide.enable_tenant_rls('orders');`,
    },
  ],
});

// At startup: fails if the app role could bypass row-level security.
const store = await createTenantStore(db);

for (const [tenantId, total] of [
  ['acme', 100],
  ['globex', 250],
] as const) {
  await store.withTenant({ tenantId }, (tx) =>
    tx.query('INSERT INTO sales.orders (tenant_id, total) VALUES ($1, $2)', [tenantId, total]),
  );
}

// Each tenant sees its own rows only, whatever the query asks for.
const seen = await store.withTenant({ tenantId: 'acme' }, async (tx) => {
  const { rows } = await tx.query('SELECT tenant_id, total FROM sales.orders');
  return rows;
});
assert.deepEqual(seen, [{ tenant_id: 'acme', total: '100' }]);

await db.close();
