import { describe, expect, it } from 'vitest';
import { isObjectStoreError, openObjectStore, parseS3Url } from '@ameide/object-store';

function refusal(value: string): { code: string; message: string; field: string | undefined } {
  try {
    parseS3Url(value, '--s3-url');
  } catch (error) {
    if (!isObjectStoreError(error)) throw error;
    return { code: error.code, message: error.message, field: error.fieldViolations[0]?.field };
  }
  throw new Error(`${value} was accepted`);
}

describe('parseS3Url', () => {
  it('reads endpoint, credentials, bucket and path-style addressing from one URL', () => {
    expect(parseS3Url('http://KEY:SECRET@127.0.0.1:7070/artifacts')).toEqual({
      endpoint: 'http://127.0.0.1:7070',
      region: 'us-east-1',
      bucket: 'artifacts',
      credentials: { accessKeyId: 'KEY', secretAccessKey: 'SECRET' },
      forcePathStyle: true,
    });
  });

  it('decodes percent-encoded keys and reads region and pathStyle', () => {
    expect(
      parseS3Url('https://AK%2F1:s%40cr%2Fet@s3.example.com/b-1/?region=eu-west-1&pathStyle=false'),
    ).toEqual({
      endpoint: 'https://s3.example.com',
      region: 'eu-west-1',
      bucket: 'b-1',
      credentials: { accessKeyId: 'AK/1', secretAccessKey: 's@cr/et' },
      forcePathStyle: false,
    });
  });

  it.each([
    ['not a URL', 'no url', 'is not a URL'],
    ['another scheme', 's3://K:S@host/bucket', 'must be an http:// or https:// URL, got s3:'],
    ['no credentials', 'http://127.0.0.1:7070/bucket', 'must carry the access key and the secret'],
    ['no secret', 'http://K@127.0.0.1:7070/bucket', 'must carry the access key and the secret'],
    ['no bucket', 'http://K:S@127.0.0.1:7070', 'must name one bucket as its path'],
    ['a key path', 'http://K:S@127.0.0.1:7070/bucket/key', 'must name one bucket as its path'],
    ['an unknown parameter', 'http://K:S@h:1/b?secret=x', 'has an unknown parameter "secret"'],
    ['a bad pathStyle', 'http://K:S@h:1/b?pathStyle=yes', 'pathStyle must be true or false'],
  ])('refuses %s as invalid_argument naming the option and the form', (_, value, problem) => {
    const refused = refusal(value);
    expect(refused.code).toBe('invalid_argument');
    expect(refused.field).toBe('--s3-url');
    expect(refused.message).toContain(`--s3-url ${problem}`);
    expect(refused.message).toContain('expected http://KEY:SECRET@host:port/bucket');
  });

  it('never quotes the secret when it refuses a URL', () => {
    expect(refusal('http://K:hunter2@127.0.0.1:7070').message).not.toContain('hunter2');
  });

  it('is what openObjectStore reads { s3Url }, naming the setting it came from', async () => {
    const refused: unknown = await openObjectStore({
      s3Url: 'http://127.0.0.1:7070/bucket',
      s3UrlFrom: '--s3-url',
    }).catch((e: unknown) => e);
    expect(isObjectStoreError(refused) && refused.code).toBe('invalid_argument');
    expect((refused as Error).message).toMatch(/^--s3-url must carry the access key/);
  });
});
