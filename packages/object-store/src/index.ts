// Users' symbols first: the interface, its two implementations, configuration, errors.
export { DEFAULT_CONTENT_TYPE, DEFAULT_MAX_OBJECT_BYTES } from './object-store.js';
export type { ObjectInfo, ObjectStore, PutObjectOptions, StoredObject } from './object-store.js';
export { createS3ObjectStore, DEFAULT_S3_REGION } from './s3-object-store.js';
export type { S3ObjectStoreOptions } from './s3-object-store.js';
export { createDatabaseObjectStore } from './database-object-store.js';
export type { DatabaseObjectStoreOptions } from './database-object-store.js';
export { migrateObjectStore, OBJECT_STORE_SCHEMA } from './migrate-object-store.js';
export { openObjectStore } from './open-object-store.js';
export type { ObjectStoreConfig } from './open-object-store.js';
export { parseS3Url, S3_URL_FORM } from './parse-s3-url.js';

export { objectKey, tenantPrefix } from './object-key.js';
export { assertObjectHash, assertObjectTenantId, sha256Hex } from './object-checks.js';
export {
  isObjectStoreError,
  ObjectStoreError,
  ObjectStoreErrorReason,
} from './object-store-error.js';
export type { ObjectStoreErrorCode, ObjectStoreErrorOptions } from './object-store-error.js';
