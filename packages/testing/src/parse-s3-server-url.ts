import { VERSITYGW_DEFAULT_REGION } from '@ameide/launch';
import type { S3ServerInfo } from './s3-server.js';

/**
 * Reads `AMEIDE_TEST_S3_URL`-style URLs: `http://KEY:SECRET@host:port`, optionally
 * `?region=<region>` (default `us-east-1`). Key and secret may be percent-encoded.
 *
 * @throws Error naming what is missing, without quoting the secret.
 */
export function parseS3ServerUrl(value: string, from = 'AMEIDE_TEST_S3_URL'): S3ServerInfo {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${from} is not a URL; expected http://KEY:SECRET@host:port`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`${from} must be an http:// or https:// URL, got ${url.protocol}`);
  if (url.username === '' || url.password === '')
    throw new Error(`${from} must carry the access key and secret: http://KEY:SECRET@host:port`);
  return {
    endpoint: `${url.protocol}//${url.host}`,
    region: url.searchParams.get('region') ?? VERSITYGW_DEFAULT_REGION,
    accessKeyId: decodeURIComponent(url.username),
    secretAccessKey: decodeURIComponent(url.password),
  };
}
