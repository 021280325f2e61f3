import { randomBytes } from 'node:crypto';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { consoleDistDir, consoleRoot, consoleViteConfig } from './vite-config.js';

export interface BuildConsoleOptions {
  /** Build even when `dist` is newer than every source. */
  readonly force?: boolean;
  /** Default `apps/console/dist`. */
  readonly outDir?: string;
}

export interface BuildConsoleResult {
  readonly distDir: string;
  /** False when the existing build was up to date. */
  readonly built: boolean;
  readonly ms: number;
}

/** Sources the bundle is made of: the console and the workspace packages it imports. */
const SOURCE_DIRS = [
  join(consoleRoot, 'src'),
  join(consoleRoot, 'index.html'),
  ...['process-definition', 'proto', 'sdk', 'errors'].map((p) =>
    fileURLToPath(new URL(`../../../../packages/${p}/src`, import.meta.url)),
  ),
];

/**
 * Builds the console with Vite (production mode) unless `dist/index.html` is newer than every
 * source file. `ameide dev` calls it at start-up, then serves `distDir` with
 * {@link createConsoleHandler}. One build takes a few seconds; run one at a time.
 */
export async function buildConsole(options: BuildConsoleOptions = {}): Promise<BuildConsoleResult> {
  const started = performance.now();
  const distDir = options.outDir ?? consoleDistDir;
  if (!options.force && !(await isConsoleBuildStale(distDir))) {
    return { distDir, built: false, ms: Math.round(performance.now() - started) };
  }
  // Build beside the target and swap it in, so a server never serves half a build and
  // two concurrent builds (several `ameide dev` starting at once) cannot mix their files.
  const unique = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = `${distDir}.tmp-${unique}`;
  const old = `${distDir}.old-${unique}`;
  try {
    // Vite (≈0.5 s to load, and memory for as long as the process lives) only when building.
    const { build } = await import('vite');
    await build({ ...consoleViteConfig({ outDir: tmp }), mode: 'production', logLevel: 'warn' });
    await rename(distDir, old).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    await rename(tmp, distDir).catch((err: NodeJS.ErrnoException) => {
      // Another build swapped its output in first: theirs is as good as ours.
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
    await rm(old, { recursive: true, force: true });
  }
  return { distDir, built: true, ms: Math.round(performance.now() - started) };
}

/** Whether `distDir` is missing or older than a source of the console. */
export async function isConsoleBuildStale(distDir: string = consoleDistDir): Promise<boolean> {
  let builtAt: number;
  try {
    builtAt = (await stat(join(distDir, 'index.html'))).mtimeMs;
  } catch {
    return true;
  }
  for (const dir of SOURCE_DIRS) if ((await newestMtime(dir)) > builtAt) return true;
  return false;
}

async function newestMtime(path: string): Promise<number> {
  let s;
  try {
    s = await stat(path);
  } catch {
    return 0;
  }
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const entry of await readdir(path, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    if (entry.isFile() && /\.test\.tsx?$/.test(entry.name)) continue;
    newest = Math.max(newest, await newestMtime(join(path, entry.name)));
  }
  return newest;
}
