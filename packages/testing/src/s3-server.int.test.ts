import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { acceptsConnections } from '@ameide/launch';
import { parseS3ServerUrl, startS3Server, testS3Bucket } from '@ameide/testing';

describe.skipIf(Boolean(process.env['AMEIDE_TEST_S3_URL']))('startS3Server', () => {
  it('starts versitygw in a directory of its own, and stop() shuts it down and removes it', async () => {
    const server = await startS3Server();
    try {
      const answer = await fetch(`${server.endpoint}/`);
      expect(answer.status).toBe(403);
      expect(answer.headers.get('server')).toBe('VERSITYGW');
      expect(existsSync(server.dataDir)).toBe(true);
    } finally {
      await server.stop();
    }
    expect(existsSync(server.dataDir)).toBe(false);
    expect(await acceptsConnections(Number(new URL(server.endpoint).port))).toBe(false);
  });
});

describe('testS3Bucket', () => {
  it("hands each test file the run's S3 server and a bucket name of its own", async () => {
    const a = testS3Bucket('S3 Store!');
    const b = testS3Bucket('s3 store');
    expect(a.bucket).toMatch(/^t-s3-store-[0-9a-f]{10}$/);
    expect(a.bucket).not.toBe(b.bucket);
    expect(a.endpoint).toBe(b.endpoint);
    expect(a.accessKeyId).not.toBe('');
    expect(await acceptsConnections(Number(new URL(a.endpoint).port))).toBe(true);
  });
});

describe('parseS3ServerUrl', () => {
  it('reads AMEIDE_TEST_S3_URL: endpoint, percent-encoded keys and region', () => {
    expect(parseS3ServerUrl('http://AK:s%2Fcret@127.0.0.1:9000?region=eu-west-1')).toEqual({
      endpoint: 'http://127.0.0.1:9000',
      region: 'eu-west-1',
      accessKeyId: 'AK',
      secretAccessKey: 's/cret',
    });
  });

  it('names what is missing without quoting the secret', () => {
    expect(() => parseS3ServerUrl('http://127.0.0.1:9000')).toThrow(
      'AMEIDE_TEST_S3_URL must carry the access key and secret: http://KEY:SECRET@host:port',
    );
    expect(() => parseS3ServerUrl('nats://K:hunter2@h:1')).toThrow(
      'AMEIDE_TEST_S3_URL must be an http:// or https:// URL, got nats:',
    );
  });
});
