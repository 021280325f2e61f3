// Types only (erased): the AWS SDK is imported when a store is created, so a platform keeping
// its objects in Postgres never loads it (≈0.1 s and 20 MB).
import type * as S3 from '@aws-sdk/client-s3';
import type { HeadObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import { checkMaxObjectBytes, checkPut, verifyContent } from './object-checks.js';
import { objectKey } from './object-key.js';
import {
  DEFAULT_CONTENT_TYPE,
  DEFAULT_MAX_OBJECT_BYTES,
  type ObjectInfo,
  type ObjectStore,
} from './object-store.js';
import { ObjectStoreError, isObjectStoreError } from './object-store-error.js';

/** Region used when none is given (the default of AWS and of most S3-compatible servers). */
export const DEFAULT_S3_REGION = 'us-east-1';

/** Options of {@link createS3ObjectStore}. */
export interface S3ObjectStoreOptions {
  /** `http(s)://host:port` of the S3 API. */
  readonly endpoint: string;
  /** Default {@link DEFAULT_S3_REGION}. */
  readonly region?: string;
  /** The bucket every tenant's objects live in, each tenant under its own key prefix. */
  readonly bucket: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /**
   * Address the bucket in the path (`http://host/bucket/key`) rather than the host name.
   * Default `true`: what local and most self-hosted servers (versitygw, MinIO) need.
   */
  readonly forcePathStyle?: boolean;
  /** Create the bucket at start when it does not exist. Default `true`. */
  readonly createBucket?: boolean;
  /** Largest object `put` accepts. Default {@link DEFAULT_MAX_OBJECT_BYTES} (16 MiB). */
  readonly maxObjectBytes?: number;
  /** Attempts per request, retries included (the SDK's backoff). Default 3. */
  readonly maxAttempts?: number;
  /** Time to connect before a request counts as failed. Default 5 s. */
  readonly connectTimeoutMs?: number;
  /** Time for a whole request. Default 60 s. */
  readonly requestTimeoutMs?: number;
}

/**
 * An {@link ObjectStore} on an S3-compatible server (`@aws-sdk/client-s3`). Objects are
 * `tenants/<tenantId>/sha256/<hash>` in one bucket; uploads carry their sha256, which the
 * server checks and keeps, and conditional writes (`If-None-Match: *`) keep the first copy
 * when two puts race. A put finds an existing object by that checksum; one without it (written
 * behind the store's back, or by a server that keeps no checksums) is uploaded again. At start it checks that the endpoint answers, that the credentials are accepted
 * and that the bucket exists (creating it unless `createBucket: false`).
 *
 * The credentials stay inside the returned store: only the platform's composition root
 * creates one, and domains get the store, never the keys.
 *
 * @throws ObjectStoreError `INVALID_OPTIONS`; `STORE_UNAVAILABLE` naming the endpoint when it
 * cannot be reached; `STORE_ACCESS_DENIED` when it refuses the credentials; `BUCKET_NOT_FOUND`.
 */
export async function createS3ObjectStore(options: S3ObjectStoreOptions): Promise<ObjectStore> {
  const endpoint = checkEndpoint(options.endpoint);
  const bucket = checkBucket(options.bucket);
  checkCredentials(options.credentials);
  const maxObjectBytes = checkMaxObjectBytes(options.maxObjectBytes, DEFAULT_MAX_OBJECT_BYTES);
  const where = `S3 ${endpoint} bucket ${bucket}`;
  const s3 = await import('@aws-sdk/client-s3');
  const { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } = s3;
  const client = new S3Client({
    endpoint,
    region: options.region ?? DEFAULT_S3_REGION,
    forcePathStyle: options.forcePathStyle ?? true,
    credentials: {
      accessKeyId: options.credentials.accessKeyId,
      secretAccessKey: options.credentials.secretAccessKey,
    },
    maxAttempts: options.maxAttempts ?? 3,
    requestHandler: {
      connectionTimeout: options.connectTimeoutMs ?? 5_000,
      requestTimeout: options.requestTimeoutMs ?? 60_000,
    },
  });
  const fail = (error: unknown, doing: string): ObjectStoreError =>
    s3Failure(error, { doing, endpoint, bucket, accessKeyId: options.credentials.accessKeyId });
  try {
    await ensureBucket(
      s3,
      client,
      { endpoint, bucket, create: options.createBucket ?? true },
      fail,
    );
  } catch (error) {
    client.destroy();
    throw error;
  }

  /** The object's metadata (with the checksum it was uploaded with), undefined when absent. */
  const head = async (key: string): Promise<HeadObjectCommandOutput | undefined> => {
    try {
      return await client.send(
        new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }),
      );
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw fail(error, `reading object ${key}`);
    }
  };
  const stat = async (tenantId: string, hash: string): Promise<ObjectInfo | undefined> => {
    const found = await head(objectKey(tenantId, hash));
    if (!found) return undefined;
    return {
      hash,
      size: found.ContentLength ?? 0,
      contentType: found.ContentType ?? DEFAULT_CONTENT_TYPE,
    };
  };
  let closed = false;
  return {
    kind: 's3',
    description: `${where} (access key ${options.credentials.accessKeyId})`,
    maxObjectBytes,
    async put(tenantId, bytes, putOptions) {
      const checked = checkPut(tenantId, bytes, putOptions, maxObjectBytes);
      const stored = { hash: checked.hash, size: checked.size };
      const key = objectKey(tenantId, checked.hash);
      const checksum = Buffer.from(checked.hash, 'hex').toString('base64');
      const existing = await head(key);
      // Same bytes, same key: an object there that was uploaded with this sha256 is this one,
      // so the upload is skipped. One without it (or of another size) was written behind the
      // store's back: these bytes replace it, keeping its content type.
      if (existing?.ChecksumSHA256 === checksum && existing.ContentLength === checked.size)
        return stored;
      try {
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: bytes,
            ContentType: existing?.ContentType ?? checked.contentType,
            // The server refuses the upload (BadDigest) unless the bytes it got hash to this.
            ChecksumSHA256: checksum,
            // A new object is written only once; a replacement overwrites what is there.
            ...(existing ? {} : { IfNoneMatch: '*' }),
          }),
        );
      } catch (error) {
        // Another put of the same bytes won the race: the object is there.
        if (statusOf(error) !== 412) throw fail(error, `writing object ${key}`);
      }
      return stored;
    },
    async get(tenantId, hash) {
      const key = objectKey(tenantId, hash);
      let bytes: Uint8Array;
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        if (!object.Body) throw new Error('the answer had no body');
        bytes = await object.Body.transformToByteArray();
      } catch (error) {
        if (isMissing(error)) throw notFound(tenantId, hash);
        throw fail(error, `reading object ${key}`);
      }
      return verifyContent(tenantId, hash, bytes, where);
    },
    async has(tenantId, hash) {
      return (await stat(tenantId, hash)) !== undefined;
    },
    stat,
    close() {
      if (!closed) client.destroy();
      closed = true;
      return Promise.resolve();
    },
  };
}

async function ensureBucket(
  s3: typeof S3,
  client: S3Client,
  target: { readonly endpoint: string; readonly bucket: string; readonly create: boolean },
  fail: (error: unknown, doing: string) => ObjectStoreError,
): Promise<void> {
  const { endpoint, bucket } = target;
  try {
    // A GET (unlike HEAD) carries the server's error code, which tells a missing bucket
    // apart from refused credentials.
    await client.send(new s3.GetBucketLocationCommand({ Bucket: bucket }));
    return;
  } catch (error) {
    if (nameOf(error) !== 'NoSuchBucket') throw fail(error, `checking bucket ${bucket}`);
  }
  if (!target.create) throw bucketNotFound(endpoint, bucket, `checking bucket ${bucket}`);
  try {
    await client.send(new s3.CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    // Created meanwhile by another process of this account.
    if (nameOf(error) !== 'BucketAlreadyOwnedByYou') throw fail(error, `creating bucket ${bucket}`);
  }
}

function notFound(tenantId: string, hash: string): ObjectStoreError {
  return new ObjectStoreError(
    'OBJECT_NOT_FOUND',
    `tenant ${tenantId} has no object sha256:${hash}`,
    { metadata: { tenantId, hash } },
  );
}

interface FailureContext {
  readonly doing: string;
  readonly endpoint: string;
  readonly bucket: string;
  readonly accessKeyId: string;
}

// Error names S3 servers answer for credentials they do not accept. versitygw answers an
// unknown access key with 404 XAdminUserNotFound where AWS says 403 InvalidAccessKeyId.
const ACCESS_DENIED = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'XAdminUserNotFound',
  'InvalidToken',
  'ExpiredToken',
  'AllAccessDisabled',
  'AccountProblem',
  'BucketAlreadyExists',
]);

/** Maps what the SDK threw onto the store's closed set of errors, naming endpoint and bucket. */
function s3Failure(error: unknown, context: FailureContext): ObjectStoreError {
  if (isObjectStoreError(error)) return error;
  const { doing, endpoint, bucket, accessKeyId } = context;
  const status = statusOf(error);
  const name = nameOf(error);
  // SDK messages end in a full stop; ours go on after the detail.
  const detail = (error instanceof Error ? error.message : String(error)).replace(/\.\s*$/, '');
  const metadata = { endpoint, bucket, ...(name ? { s3Error: name } : {}) };
  if (status === undefined) {
    return new ObjectStoreError(
      'STORE_UNAVAILABLE',
      `cannot reach S3 at ${endpoint} (${doing}): ${detail}`,
      { metadata, cause: error },
    );
  }
  if (status === 401 || status === 403 || ACCESS_DENIED.has(name)) {
    return new ObjectStoreError(
      'STORE_ACCESS_DENIED',
      `S3 at ${endpoint} refused access key ${accessKeyId} for bucket ${bucket} (${doing}): ${name || `HTTP ${status}`}: ${detail}; check the access key, the secret and the bucket's permissions`,
      { metadata: { ...metadata, accessKeyId }, cause: error },
    );
  }
  if (name === 'NoSuchBucket') return bucketNotFound(endpoint, bucket, doing, error);
  if (status >= 500) {
    return new ObjectStoreError(
      'STORE_UNAVAILABLE',
      `S3 at ${endpoint} failed (${doing}): HTTP ${status} ${name}: ${detail}`,
      { metadata, cause: error },
    );
  }
  return new ObjectStoreError(
    'STORE_FAILED',
    `S3 at ${endpoint} answered HTTP ${status} ${name} (${doing}): ${detail}`,
    { metadata, cause: error },
  );
}

function bucketNotFound(
  endpoint: string,
  bucket: string,
  doing: string,
  cause?: unknown,
): ObjectStoreError {
  return new ObjectStoreError(
    'BUCKET_NOT_FOUND',
    `S3 at ${endpoint} has no bucket ${bucket} (${doing}); create it or let the store create it`,
    { metadata: { endpoint, bucket }, ...(cause !== undefined ? { cause } : {}) },
  );
}

function isMissing(error: unknown): boolean {
  const name = nameOf(error);
  return name === 'NotFound' || name === 'NoSuchKey';
}

function statusOf(error: unknown): number | undefined {
  const metadata = (error as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata;
  return typeof metadata?.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
}

function nameOf(error: unknown): string {
  return error instanceof Error ? error.name : '';
}

function invalidOption(field: string, problem: string): ObjectStoreError {
  return new ObjectStoreError('INVALID_OPTIONS', `${field} ${problem}`, {
    fieldViolations: [{ field, description: problem }],
  });
}

function checkEndpoint(value: unknown): string {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw invalidOption(
      'endpoint',
      'must be an http:// or https:// URL, e.g. http://127.0.0.1:7070',
    );
  if (url.username || url.password || url.search || (url.pathname !== '/' && url.pathname !== ''))
    throw invalidOption(
      'endpoint',
      'must be only scheme, host and port (credentials and bucket are options of their own)',
    );
  return `${url.protocol}//${url.host}`;
}

// S3 bucket naming rules: 3-63 characters, lower-case letters, digits, dots and hyphens.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function checkBucket(value: unknown): string {
  if (typeof value === 'string' && BUCKET.test(value) && !value.includes('..')) return value;
  throw invalidOption(
    'bucket',
    `must be an S3 bucket name (3-63 of a-z, 0-9, "." and "-"), got ${JSON.stringify(value)}`,
  );
}

function checkCredentials(value: S3ObjectStoreOptions['credentials'] | undefined): void {
  if (typeof value?.accessKeyId !== 'string' || value.accessKeyId === '')
    throw invalidOption('credentials.accessKeyId', 'must not be empty');
  if (typeof value.secretAccessKey !== 'string' || value.secretAccessKey === '')
    throw invalidOption('credentials.secretAccessKey', 'must not be empty');
}
