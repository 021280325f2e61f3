import { AmeideError, type FieldViolation } from '@ameide/errors';

/** The Connect codes (AmeideError codes) object store errors carry. */
export type ObjectStoreErrorCode =
  | 'invalid_argument'
  | 'not_found'
  | 'data_loss'
  | 'failed_precondition'
  | 'unavailable'
  | 'internal';

/** The closed set of reasons, each with its fixed code. */
export const ObjectStoreErrorReason = {
  /** A tenant id is missing, malformed, or could address another tenant's prefix. */
  InvalidTenantId: 'INVALID_TENANT_ID',
  /** A hash is not 64 lower-case hex digits (sha256). */
  InvalidHash: 'INVALID_HASH',
  /** A content type is not a printable `type/subtype` of at most 255 characters. */
  InvalidContentType: 'INVALID_CONTENT_TYPE',
  /** An object is larger than the store's `maxObjectBytes`. */
  ObjectTooLarge: 'OBJECT_TOO_LARGE',
  /** Options or arguments are unusable (endpoint, bucket, S3 URL, limits, bytes that are no Uint8Array). */
  InvalidOptions: 'INVALID_OPTIONS',
  /** The tenant has no object with this hash. */
  ObjectNotFound: 'OBJECT_NOT_FOUND',
  /** What the store holds under a hash does not hash to it: corrupted or tampered with. */
  HashMismatch: 'HASH_MISMATCH',
  /** The bucket does not exist (and the store was not allowed to create it). */
  BucketNotFound: 'BUCKET_NOT_FOUND',
  /** The storage server refused the credentials or the access to the bucket. */
  StoreAccessDenied: 'STORE_ACCESS_DENIED',
  /** The storage server cannot be reached, timed out, or answered a server error. */
  StoreUnavailable: 'STORE_UNAVAILABLE',
  /** The storage server answered something this store does not expect. */
  StoreFailed: 'STORE_FAILED',
} as const;

export type ObjectStoreErrorReason =
  (typeof ObjectStoreErrorReason)[keyof typeof ObjectStoreErrorReason];

const codeOf: Record<ObjectStoreErrorReason, ObjectStoreErrorCode> = {
  INVALID_TENANT_ID: 'invalid_argument',
  INVALID_HASH: 'invalid_argument',
  INVALID_CONTENT_TYPE: 'invalid_argument',
  OBJECT_TOO_LARGE: 'invalid_argument',
  INVALID_OPTIONS: 'invalid_argument',
  OBJECT_NOT_FOUND: 'not_found',
  // Stored bytes that no longer match their address are corrupted data, not a caller mistake.
  HASH_MISMATCH: 'data_loss',
  BUCKET_NOT_FOUND: 'failed_precondition',
  STORE_ACCESS_DENIED: 'failed_precondition',
  STORE_UNAVAILABLE: 'unavailable',
  STORE_FAILED: 'internal',
};

/** Options of {@link ObjectStoreError}. */
export interface ObjectStoreErrorOptions {
  /** Context worth logging: tenant, hash, endpoint, bucket, limit, ... (never a secret). */
  readonly metadata?: Readonly<Record<string, string>>;
  /** For invalid input: which field and why. */
  readonly fieldViolations?: readonly FieldViolation[];
  readonly cause?: unknown;
}

// A registered symbol, so the guard works across duplicated copies of this package.
const brand = Symbol.for('ameide.object-store.error');

/**
 * The error of `@ameide/object-store`: an `AmeideError` (domain `ameide.object-store`) whose
 * `reason` is one of a closed set that fixes its `code`, so the service host maps it onto
 * Connect like any other.
 */
export class ObjectStoreError extends AmeideError {
  override readonly name: string = 'ObjectStoreError';
  declare readonly code: ObjectStoreErrorCode;
  declare readonly reason: ObjectStoreErrorReason;
  readonly [brand] = true;

  constructor(
    reason: ObjectStoreErrorReason,
    message: string,
    options: ObjectStoreErrorOptions = {},
  ) {
    super(codeOf[reason], message, { ...options, reason, domain: 'ameide.object-store' });
  }
}

/** True for an {@link ObjectStoreError} from any copy of this package. */
export function isObjectStoreError(value: unknown): value is ObjectStoreError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[brand] === true
  );
}
