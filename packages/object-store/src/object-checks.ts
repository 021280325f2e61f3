// What both stores check the same way: tenant ids, hashes, content types and sizes on the way
// in, and the sha256 of every object on the way out.
import { createHash } from 'node:crypto';
import { assertValidTenantId, isPersistenceError } from '@ameide/persistence';
import { DEFAULT_CONTENT_TYPE, type PutObjectOptions } from './object-store.js';
import { ObjectStoreError } from './object-store-error.js';

const HASH = /^[0-9a-f]{64}$/;
// Printable ASCII `type/subtype` with optional parameters, as HTTP carries it.
const CONTENT_TYPE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+\/[!#$%&'*+.^_`|~0-9A-Za-z-]+(;[ -~]*)?$/;
const MAX_CONTENT_TYPE_LENGTH = 255;

/** sha256 of `bytes` as 64 lower-case hex digits. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Checks a tenant id the way the database's tenant context does (1 to 128 characters of
 * `[A-Za-z0-9._-]`, starting with a letter or digit), and also refuses `..` anywhere: key
 * segments become directories on posix-backed S3 servers, and no tenant may name a path
 * outside its own prefix.
 *
 * @throws ObjectStoreError `INVALID_TENANT_ID` saying what is wrong.
 */
export function assertObjectTenantId(tenantId: unknown): asserts tenantId is string {
  try {
    assertValidTenantId(tenantId);
  } catch (error) {
    if (!isPersistenceError(error)) throw error;
    throw new ObjectStoreError('INVALID_TENANT_ID', error.message, {
      fieldViolations: error.fieldViolations,
    });
  }
  if (tenantId.includes('..')) {
    const problem = `must not contain "..", got ${JSON.stringify(tenantId)}`;
    throw new ObjectStoreError('INVALID_TENANT_ID', `tenantId ${problem}`, {
      fieldViolations: [{ field: 'tenantId', description: problem }],
    });
  }
}

/**
 * Checks an object hash: 64 lower-case hex digits (sha256).
 *
 * @throws ObjectStoreError `INVALID_HASH`.
 */
export function assertObjectHash(hash: unknown): asserts hash is string {
  if (typeof hash === 'string' && HASH.test(hash)) return;
  const shown = typeof hash === 'string' ? JSON.stringify(hash.slice(0, 80)) : typeof hash;
  const problem = `must be a sha256 of 64 lower-case hex digits, got ${shown}`;
  throw new ObjectStoreError('INVALID_HASH', `hash ${problem}`, {
    fieldViolations: [{ field: 'hash', description: problem }],
  });
}

/** What `put` stores, once its input has been checked. */
export interface CheckedPut {
  readonly hash: string;
  readonly size: number;
  readonly contentType: string;
}

/**
 * Checks the input of a `put` and hashes the bytes, before anything is written.
 *
 * @throws ObjectStoreError `INVALID_TENANT_ID`, `INVALID_CONTENT_TYPE`, `OBJECT_TOO_LARGE`.
 */
export function checkPut(
  tenantId: unknown,
  bytes: unknown,
  options: PutObjectOptions | undefined,
  maxObjectBytes: number,
): CheckedPut {
  assertObjectTenantId(tenantId);
  if (!(bytes instanceof Uint8Array)) {
    const problem = `must be a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`;
    throw new ObjectStoreError('INVALID_OPTIONS', `bytes ${problem}`, {
      fieldViolations: [{ field: 'bytes', description: problem }],
    });
  }
  if (bytes.byteLength > maxObjectBytes) {
    const problem = `has ${bytes.byteLength} bytes, more than the limit of ${formatBytes(maxObjectBytes)}`;
    throw new ObjectStoreError('OBJECT_TOO_LARGE', `object ${problem}`, {
      fieldViolations: [{ field: 'bytes', description: problem }],
      metadata: { size: String(bytes.byteLength), maxObjectBytes: String(maxObjectBytes) },
    });
  }
  const contentType = options?.contentType ?? DEFAULT_CONTENT_TYPE;
  if (
    typeof contentType !== 'string' ||
    contentType.length > MAX_CONTENT_TYPE_LENGTH ||
    !CONTENT_TYPE.test(contentType)
  ) {
    const problem = `must be a type/subtype of printable ASCII, at most ${MAX_CONTENT_TYPE_LENGTH} characters`;
    throw new ObjectStoreError('INVALID_CONTENT_TYPE', `contentType ${problem}`, {
      fieldViolations: [{ field: 'contentType', description: problem }],
    });
  }
  return { hash: sha256Hex(bytes), size: bytes.byteLength, contentType };
}

/**
 * Returns `bytes` when they hash to `hash`.
 *
 * @param where - names the store in the error, e.g. `S3 http://host:7070 bucket b`.
 * @throws ObjectStoreError `HASH_MISMATCH` naming the tenant, both hashes and the store.
 */
export function verifyContent(
  tenantId: string,
  hash: string,
  bytes: Uint8Array,
  where: string,
): Uint8Array {
  const actual = sha256Hex(bytes);
  if (actual === hash) return bytes;
  throw new ObjectStoreError(
    'HASH_MISMATCH',
    `object sha256:${hash} of tenant ${tenantId} in ${where} is corrupt: its ${bytes.byteLength} bytes hash to sha256:${actual}; refusing to return them`,
    { metadata: { tenantId, hash, actualHash: actual, size: String(bytes.byteLength) } },
  );
}

/** Checks a `maxObjectBytes` option. @throws ObjectStoreError `INVALID_OPTIONS`. */
export function checkMaxObjectBytes(value: number | undefined, fallback: number): number {
  const max = value ?? fallback;
  if (Number.isSafeInteger(max) && max > 0) return max;
  const problem = `must be a positive integer, got ${String(value)}`;
  throw new ObjectStoreError('INVALID_OPTIONS', `maxObjectBytes ${problem}`, {
    fieldViolations: [{ field: 'maxObjectBytes', description: problem }],
  });
}

/** `16 MiB (16777216 bytes)`, `1000 bytes`. */
export function formatBytes(n: number): string {
  const mib = 1024 * 1024;
  if (n % mib === 0) return `${n / mib} MiB (${n} bytes)`;
  if (n % 1024 === 0) return `${n / 1024} KiB (${n} bytes)`;
  return `${n} bytes`;
}
