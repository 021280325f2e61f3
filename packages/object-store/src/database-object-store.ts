import { createTenantStore, type Database } from '@ameide/persistence';
import {
  assertObjectHash,
  assertObjectTenantId,
  checkMaxObjectBytes,
  checkPut,
  verifyContent,
} from './object-checks.js';
import { DEFAULT_MAX_OBJECT_BYTES, type ObjectInfo, type ObjectStore } from './object-store.js';
import { ObjectStoreError } from './object-store-error.js';
import { OBJECT_STORE_SCHEMA } from './migrate-object-store.js';

/** Options of {@link createDatabaseObjectStore}. */
export interface DatabaseObjectStoreOptions {
  /** Largest object `put` accepts. Default {@link DEFAULT_MAX_OBJECT_BYTES} (16 MiB). */
  readonly maxObjectBytes?: number;
  /** Role the tenant transactions run as. Default `ameide_app`. */
  readonly appRole?: string;
}

interface InfoRow {
  readonly size: bigint;
  readonly content_type: string;
}

/**
 * An {@link ObjectStore} in the platform database (PGlite or Postgres): table
 * `object_store.objects` (see {@link migrateObjectStore}), one row per tenant and hash, under
 * per-tenant row-level security; every statement runs in `withTenant`, so another tenant's
 * rows are invisible even by hash. What `ameide dev` uses unless given an S3 server. Meant for
 * modules and artifacts of a few MiB, not for large media: each object is one `bytea`.
 *
 * Run {@link migrateObjectStore} first. The database stays the caller's: `close()` leaves it
 * open.
 *
 * @throws PersistenceError `ROLE_CAN_BYPASS_RLS` or `ROLE_NOT_FOUND` when the app role could
 * not hold tenants apart; ObjectStoreError `INVALID_OPTIONS`.
 */
export async function createDatabaseObjectStore(
  db: Database,
  options: DatabaseObjectStoreOptions = {},
): Promise<ObjectStore> {
  const maxObjectBytes = checkMaxObjectBytes(options.maxObjectBytes, DEFAULT_MAX_OBJECT_BYTES);
  const tenants = await createTenantStore(
    db,
    options.appRole !== undefined ? { appRole: options.appRole } : {},
  );
  const where = `the ${db.kind === 'pglite' ? 'PGlite' : 'Postgres'} table ${OBJECT_STORE_SCHEMA}.objects`;
  const stat = async (tenantId: string, hash: string): Promise<ObjectInfo | undefined> => {
    assertObjectTenantId(tenantId);
    assertObjectHash(hash);
    const { rows } = await tenants.withTenant({ tenantId }, (tx) =>
      tx.query<InfoRow>(
        `SELECT size, content_type FROM ${OBJECT_STORE_SCHEMA}.objects WHERE tenant_id = $1 AND hash = $2`,
        [tenantId, hash],
      ),
    );
    const row = rows[0];
    return row ? { hash, size: Number(row.size), contentType: row.content_type } : undefined;
  };
  return {
    kind: 'database',
    description: where,
    maxObjectBytes,
    async put(tenantId, bytes, putOptions) {
      const checked = checkPut(tenantId, bytes, putOptions, maxObjectBytes);
      await tenants.withTenant({ tenantId }, (tx) =>
        // Same bytes, same row: a second put (or a racing one) changes nothing, unless the
        // row's bytes no longer hash to its address; then these bytes repair it.
        tx.query(
          `INSERT INTO ${OBJECT_STORE_SCHEMA}.objects AS o (tenant_id, hash, size, content_type, bytes)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (tenant_id, hash) DO UPDATE SET bytes = excluded.bytes, size = excluded.size
             WHERE encode(sha256(o.bytes), 'hex') <> o.hash`,
          [tenantId, checked.hash, checked.size, checked.contentType, bytes],
        ),
      );
      return { hash: checked.hash, size: checked.size };
    },
    async get(tenantId, hash) {
      assertObjectTenantId(tenantId);
      assertObjectHash(hash);
      const { rows } = await tenants.withTenant({ tenantId }, (tx) =>
        tx.query<{ bytes: Uint8Array }>(
          `SELECT bytes FROM ${OBJECT_STORE_SCHEMA}.objects WHERE tenant_id = $1 AND hash = $2`,
          [tenantId, hash],
        ),
      );
      const row = rows[0];
      if (!row) {
        throw new ObjectStoreError(
          'OBJECT_NOT_FOUND',
          `tenant ${tenantId} has no object sha256:${hash}`,
          { metadata: { tenantId, hash } },
        );
      }
      // node-postgres answers a Buffer: hand out a plain Uint8Array on both engines.
      const bytes = new Uint8Array(row.bytes.buffer, row.bytes.byteOffset, row.bytes.byteLength);
      return verifyContent(tenantId, hash, bytes, where);
    },
    async has(tenantId, hash) {
      return (await stat(tenantId, hash)) !== undefined;
    },
    stat,
    close: () => Promise.resolve(),
  };
}
