import { DEFAULT_S3_REGION, type S3ObjectStoreOptions } from './s3-object-store.js';
import { ObjectStoreError } from './object-store-error.js';

/** The form {@link parseS3Url} reads, for help texts and errors. */
export const S3_URL_FORM = 'http://KEY:SECRET@host:port/bucket[?region=us-east-1&pathStyle=false]';

/**
 * Reads an S3 location from one URL, the form `ameide dev --s3-url` takes:
 * `http(s)://KEY:SECRET@host:port/bucket`, with optional `?region=` (default `us-east-1`) and
 * `?pathStyle=false` (virtual-host addressing; path style is the default). Key and secret may
 * be percent-encoded.
 *
 * @param field - names the setting in errors (default `s3Url`).
 * @throws ObjectStoreError `INVALID_OPTIONS` naming what is missing; never quoting the secret.
 */
export function parseS3Url(value: string, field = 's3Url'): S3ObjectStoreOptions {
  const invalid = (problem: string): ObjectStoreError =>
    new ObjectStoreError('INVALID_OPTIONS', `${field} ${problem}; expected ${S3_URL_FORM}`, {
      fieldViolations: [{ field, description: problem }],
    });
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid('is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw invalid(`must be an http:// or https:// URL, got ${url.protocol}`);
  if (url.username === '' || url.password === '')
    throw invalid('must carry the access key and the secret before the host');
  const bucket = decodeURIComponent(url.pathname.replace(/^\/+|\/+$/g, ''));
  if (bucket === '' || bucket.includes('/'))
    throw invalid('must name one bucket as its path (http://KEY:SECRET@host:port/bucket)');
  const known = new Set(['region', 'pathStyle']);
  for (const key of url.searchParams.keys())
    if (!known.has(key)) throw invalid(`has an unknown parameter ${JSON.stringify(key)}`);
  const pathStyle = url.searchParams.get('pathStyle') ?? 'true';
  if (pathStyle !== 'true' && pathStyle !== 'false')
    throw invalid(`pathStyle must be true or false, got ${JSON.stringify(pathStyle)}`);
  return {
    endpoint: `${url.protocol}//${url.host}`,
    region: url.searchParams.get('region') || DEFAULT_S3_REGION,
    bucket,
    credentials: {
      accessKeyId: decodeURIComponent(url.username),
      secretAccessKey: decodeURIComponent(url.password),
    },
    forcePathStyle: pathStyle === 'true',
  };
}
