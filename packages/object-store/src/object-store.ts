/** Largest object a store accepts unless configured otherwise: 16 MiB. */
export const DEFAULT_MAX_OBJECT_BYTES = 16 * 1024 * 1024;

/** Content type an object gets when `put` is given none. */
export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** Options of {@link ObjectStore.put}. */
export interface PutObjectOptions {
  /** e.g. `application/wasm`. Default {@link DEFAULT_CONTENT_TYPE}. */
  readonly contentType?: string;
}

/** The address of a stored object and its size. */
export interface StoredObject {
  /** sha256 of the bytes, 64 lower-case hex digits: the object's address within its tenant. */
  readonly hash: string;
  /** Bytes. */
  readonly size: number;
}

/** What a store knows about one object without reading it. */
export interface ObjectInfo extends StoredObject {
  /** The content type of the first `put` of these bytes. */
  readonly contentType: string;
}

/**
 * Content-addressed storage of tenant artifacts (WASM extension modules, ...). Every object
 * lives under its tenant and is addressed by the sha256 of its bytes, so the same bytes get
 * the same address and storing them again changes nothing. Reads check the sha256 of what
 * they read. A tenant sees only its own objects: another tenant's hash is `not_found`.
 * Nothing lists across tenants.
 *
 * The tenant id must come from the verified token (ARCHITECTURE.md, invariant 2); the store
 * checks its form, not who the caller is.
 */
export interface ObjectStore {
  /** `s3` or `database`. */
  readonly kind: 's3' | 'database';
  /** Where the objects live, for logs and start-up lines; never a secret. */
  readonly description: string;
  /** Largest object `put` accepts, in bytes. */
  readonly maxObjectBytes: number;
  /**
   * Stores `bytes` for the tenant under their sha256. Idempotent: bytes already stored are
   * not written again (and keep their first content type). A stored object that no longer
   * matches its address is replaced by these bytes, so putting them again repairs it.
   *
   * @throws ObjectStoreError `INVALID_TENANT_ID`, `INVALID_CONTENT_TYPE` or
   * `OBJECT_TOO_LARGE` (naming the limit) before anything is written; `STORE_*` when the
   * storage fails.
   */
  put(tenantId: string, bytes: Uint8Array, options?: PutObjectOptions): Promise<StoredObject>;
  /**
   * The tenant's object with this hash, after checking that its bytes hash to it.
   *
   * @throws ObjectStoreError `OBJECT_NOT_FOUND` (also for another tenant's hash),
   * `HASH_MISMATCH` (`data_loss`) when the stored bytes do not hash to `hash`,
   * `INVALID_TENANT_ID`, `INVALID_HASH`, `STORE_*`.
   */
  get(tenantId: string, hash: string): Promise<Uint8Array>;
  /** Whether the tenant has an object with this hash (another tenant's does not count). */
  has(tenantId: string, hash: string): Promise<boolean>;
  /** Size and content type of the tenant's object with this hash, `undefined` when it has none. */
  stat(tenantId: string, hash: string): Promise<ObjectInfo | undefined>;
  /** Releases connections the store opened (not a database it was given). Idempotent. */
  close(): Promise<void>;
}
