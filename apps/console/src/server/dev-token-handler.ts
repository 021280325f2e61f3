import type { IncomingMessage, ServerResponse } from 'node:http';
import { TENANT_ID_PATTERN, type DevIdentity } from '@ameide/server';

/** The path the console's embedded sign-in posts to. */
export const DEV_TOKEN_PATH = '/dev/token';

const USER_PATTERN = /^[A-Za-z0-9._@-]{1,64}$/;
const GROUP_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const MAX_BODY = 4096;
const TTL_SEC = 8 * 3600;

/** What the console posts: the identity to act as in the embedded mode. */
export interface DevTokenRequest {
  readonly tenantId: string;
  readonly userId: string;
  readonly groups?: readonly string[];
}

/**
 * The embedded mode's sign-in: `POST /dev/token` with `{ tenantId, userId, groups }` answers
 * `{ token, expiresAt }` signed with the local dev key. Only for `ameide dev` on a loopback
 * address: requests from other addresses are refused (403), and so are cross-origin browser
 * requests (the `Origin` must be the host itself) — the body must be JSON, so a foreign page
 * cannot post it without a CORS preflight, which this handler never grants.
 *
 * Returns `true` when it handled the request (so the host's fallback can chain it before the
 * console's static files).
 */
export function createDevTokenHandler(
  identity: DevIdentity,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== DEV_TOKEN_PATH) return false;
    if (req.method !== 'POST') {
      reply(res, 405, { error: 'use POST with {"tenantId","userId","groups"}' }, { Allow: 'POST' });
      return true;
    }
    if (!isLoopback(req.socket.remoteAddress)) {
      reply(res, 403, { error: 'dev tokens are only issued to loopback clients' });
      return true;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !sameOrigin(origin, req.headers.host)) {
      reply(res, 403, { error: 'cross-origin requests cannot get dev tokens' });
      return true;
    }
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      reply(res, 415, { error: 'content-type must be application/json' });
      return true;
    }
    void readBody(req)
      .then(async (body) => {
        const parsed = parseRequest(body);
        if (typeof parsed === 'string') return reply(res, 400, { error: parsed });
        const token = await identity.signToken({ ...parsed, ttlSec: TTL_SEC });
        reply(res, 200, {
          token,
          tenantId: parsed.tenantId,
          userId: parsed.userId,
          groups: parsed.groups ?? [],
          expiresAt: new Date(Date.now() + TTL_SEC * 1000).toISOString(),
        });
      })
      .catch((err: unknown) =>
        reply(res, 400, { error: err instanceof Error ? err.message : String(err) }),
      );
    return true;
  };
}

/** Validates the sign-in body; returns the error message naming the field when it is invalid. */
export function parseRequest(body: string): DevTokenRequest | string {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return 'body is not JSON';
  }
  if (typeof value !== 'object' || value === null) return 'body must be an object';
  const { tenantId, userId, groups } = value as Record<string, unknown>;
  if (typeof tenantId !== 'string' || !TENANT_ID_PATTERN.test(tenantId))
    return `tenantId: must match ${String(TENANT_ID_PATTERN)}`;
  if (typeof userId !== 'string' || !USER_PATTERN.test(userId))
    return `userId: must match ${String(USER_PATTERN)}`;
  if (
    groups !== undefined &&
    (!Array.isArray(groups) ||
      groups.length > 20 ||
      !groups.every((g) => typeof g === 'string' && GROUP_PATTERN.test(g)))
  )
    return `groups: must be at most 20 names matching ${String(GROUP_PATTERN)}`;
  return { tenantId, userId, ...(groups ? { groups: groups as string[] } : {}) };
}

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

function sameOrigin(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error(`body over ${MAX_BODY} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function reply(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(JSON.stringify(body));
}
