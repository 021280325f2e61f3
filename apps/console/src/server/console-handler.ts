import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

export interface ConsoleHandlerOptions {
  /** The Vite build output (`apps/console/dist`). */
  readonly distDir: string;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.bpmn': 'application/xml',
};

/**
 * Serves the console's Vite build: hashed files under `/assets/` are cached for a year
 * (immutable), everything else is revalidated; any other GET path that is not a file answers
 * `index.html` (the single-page app routes on the client). Meant as the service host's
 * `httpFallback`, so RPC paths never reach it. Returns `false` (answering nothing) for methods
 * other than GET/HEAD so a caller can chain handlers.
 */
export function createConsoleHandler(
  options: ConsoleHandlerOptions,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const root = normalize(options.distDir);
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    void serve(root, req, res);
    return true;
  };
}

async function serve(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://console').pathname);
  } catch {
    return send(res, 400, 'bad request path');
  }
  const file = normalize(join(root, pathname));
  if (file !== root && !file.startsWith(root + sep)) return send(res, 404, 'not found');
  const found = await fileAt(file);
  if (found) return stream(req, res, found, pathname.startsWith('/assets/'));
  // A missing asset is a 404 (a stale tab asking for an old hash must not get HTML as JS).
  if (pathname.startsWith('/assets/') || extname(pathname) !== '')
    return send(res, 404, 'not found');
  const index = await fileAt(join(root, 'index.html'));
  if (!index)
    return send(res, 503, 'the console is not built (run `npm run build -w @ameide/console`)');
  return stream(req, res, index, false);
}

async function fileAt(
  path: string,
): Promise<{ path: string; size: number; mtime: Date } | undefined> {
  try {
    const s = await stat(path);
    return s.isFile() ? { path, size: s.size, mtime: s.mtime } : undefined;
  } catch {
    return undefined;
  }
}

function stream(
  req: IncomingMessage,
  res: ServerResponse,
  file: { path: string; size: number; mtime: Date },
  immutable: boolean,
): void {
  const etag = `W/"${file.size.toString(16)}-${file.mtime.getTime().toString(16)}"`;
  res.setHeader(
    'Content-Type',
    CONTENT_TYPES[extname(file.path).toLowerCase()] ?? 'application/octet-stream',
  );
  res.setHeader('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  res.setHeader('ETag', etag);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (extname(file.path) === '.html') {
    // 'unsafe-eval': ajv (form JSON Schema lint, AM027) compiles validators with new Function.
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; worker-src 'self' blob:",
    );
    res.setHeader('Referrer-Policy', 'no-referrer');
  }
  if (req.headers['if-none-match'] === etag) {
    res.statusCode = 304;
    res.end();
    return;
  }
  res.setHeader('Content-Length', file.size);
  res.statusCode = 200;
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file.path)
    .on('error', () => res.destroy())
    .pipe(res);
}

function send(res: ServerResponse, status: number, message: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(message);
}
