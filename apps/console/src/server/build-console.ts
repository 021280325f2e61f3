import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
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
  await build({ ...consoleViteConfig({ outDir: distDir }), mode: 'production' });
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
