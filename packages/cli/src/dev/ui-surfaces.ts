import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { discoverUiSurfaces, type DiscoveredUiSurface } from '@ameide/factory';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** A file of `root` for a URL path below it, or undefined (outside it, or missing). */
async function fileFor(root: string, rest: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rest);
  } catch {
    return undefined;
  }
  const path = normalize(join(root, decoded));
  if (path !== root && !path.startsWith(root + sep)) return undefined;
  for (const candidate of [path, join(path, 'index.html'), `${path}.html`]) {
    const s = await stat(candidate).catch(() => undefined);
    if (s?.isFile()) return candidate;
  }
  return undefined;
}

/**
 * Serves the static exports of the repository's UISurfaces (`apps/<dir>/out`) under
 * `/<name>/`, on the platform's own origin, next to the console. Returns whether it answered.
 */
export function createUiSurfaceHandler(
  surfaces: readonly DiscoveredUiSurface[],
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const built = surfaces.filter((s) => s.built);
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const pathname = (req.url ?? '/').split('?')[0]!;
    const surface = built.find(
      (s) => pathname === `/${s.name}` || pathname.startsWith(`/${s.name}/`),
    );
    if (!surface) return false;
    if (pathname === `/${surface.name}`) {
      res.writeHead(308, { location: `/${surface.name}/` }).end();
      return true;
    }
    void fileFor(normalize(surface.outDir), pathname.slice(surface.name.length + 1)).then(
      (file) => {
        if (!file) {
          res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
          return;
        }
        res.writeHead(200, {
          'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
          'cache-control': 'no-cache',
        });
        if (req.method === 'HEAD') res.end();
        else createReadStream(file).pipe(res);
      },
    );
    return true;
  };
}

/** The UISurfaces of `root` and a line for the start-up output. */
export async function findUiSurfaces(
  root: string,
): Promise<{ surfaces: DiscoveredUiSurface[]; summary: string }> {
  const surfaces = await discoverUiSurfaces(root);
  const summary = surfaces.length
    ? surfaces
        .map((s) => (s.built ? `/${s.name}/` : `${s.name} (not built: npm run build in ${s.dir})`))
        .join(', ')
    : 'none besides the console';
  return { surfaces, summary };
}
