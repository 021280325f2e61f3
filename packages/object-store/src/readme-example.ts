import assert from 'node:assert/strict';
import { createPgliteDatabase } from '@ameide/persistence';
import {
  createDatabaseObjectStore,
  isObjectStoreError,
  migrateObjectStore,
} from '@ameide/object-store';

// Embedded default: the platform database. On S3 instead:
//   await createS3ObjectStore({ endpoint, bucket, credentials, forcePathStyle: true })
const db = await createPgliteDatabase();
await migrateObjectStore(db); // with the owner connection, at deploy time
const objects = await createDatabaseObjectStore(db);

// The tenant comes from the verified token, never from the request body.
const module = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
const { hash, size } = await objects.put('acme', module, { contentType: 'application/wasm' });
assert.equal(size, 8);
assert.deepEqual(await objects.put('acme', module), { hash, size }); // same bytes, same address

assert.deepEqual(await objects.get('acme', hash), module); // sha256 checked on the way out
assert.equal(await objects.has('globex', hash), false); // another tenant's hash: not there
await assert.rejects(
  objects.get('globex', hash),
  (error) => isObjectStoreError(error) && error.code === 'not_found',
);

await objects.close();
await db.close();
