import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import type { S3ServerInfo } from './s3-server.js';
import './provided-context.js';

/** The test run's S3 server and a bucket name of one test file's own. */
export interface TestS3Bucket extends S3ServerInfo {
  /** `t-<label>-<random>`: a valid S3 bucket name no other test file uses. */
  readonly bucket: string;
}

/**
 * The S3 server of the test run (see the global setup) with a fresh, unique bucket name, so
 * test files can run in parallel without seeing each other's objects. The bucket is not
 * created here (this package has no S3 client): the code under test creates it, and the
 * server's directory is removed with the run.
 *
 * @param label - names the bucket after the test file, e.g. `'s3-store'`.
 */
export function testS3Bucket(label: string): TestS3Bucket {
  const s3 = inject('s3');
  if (typeof s3 !== 'object' || s3 === null || typeof s3.endpoint !== 'string') {
    throw new Error(
      's3 was not provided: run the tests through the root vitest.config.ts, whose globalSetup starts versitygw.',
    );
  }
  const safeLabel =
    label
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'bucket';
  return { ...s3, bucket: `t-${safeLabel}-${randomBytes(5).toString('hex')}` };
}
