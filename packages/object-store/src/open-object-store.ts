import type { Database } from '@ameide/persistence';
import { createDatabaseObjectStore } from './database-object-store.js';
import { migrateObjectStore } from './migrate-object-store.js';
import type { ObjectStore } from './object-store.js';
import { ObjectStoreError } from './object-store-error.js';
import { parseS3Url } from './parse-s3-url.js';
import { createS3ObjectStore, type S3ObjectStoreOptions } from './s3-object-store.js';

/**
 * Where a platform keeps tenant objects: in its own database (the default, no S3 needed), on
 * an S3 server given as one URL (see {@link parseS3Url}), or on one given by options.
 */
export type ObjectStoreConfig =
  | { readonly database: true; readonly maxObjectBytes?: number }
  | {
      readonly s3Url: string;
      /** Names the setting in errors, e.g. `--s3-url` (default `s3Url`). */
      readonly s3UrlFrom?: string;
      readonly maxObjectBytes?: number;
    }
  | { readonly s3: S3ObjectStoreOptions };

/**
 * Opens the configured store. The database store migrates its schema first (with the
 * owner connection `db`, the one the platform migrates with; required for it); the S3 store
 * checks endpoint, credentials and bucket.
 *
 * @throws ObjectStoreError as {@link createS3ObjectStore} and {@link parseS3Url} do.
 */
export async function openObjectStore(
  config: ObjectStoreConfig,
  context: { readonly db?: Database } = {},
): Promise<ObjectStore> {
  if ('s3' in config) return createS3ObjectStore(config.s3);
  const limit =
    config.maxObjectBytes !== undefined ? { maxObjectBytes: config.maxObjectBytes } : {};
  if ('s3Url' in config)
    return createS3ObjectStore({ ...parseS3Url(config.s3Url, config.s3UrlFrom), ...limit });
  if (!context.db) {
    throw new ObjectStoreError(
      'INVALID_OPTIONS',
      'db must be given for the database object store: it keeps the objects',
      { fieldViolations: [{ field: 'db', description: 'must be given for { database: true }' }] },
    );
  }
  await migrateObjectStore(context.db);
  return createDatabaseObjectStore(context.db, limit);
}
