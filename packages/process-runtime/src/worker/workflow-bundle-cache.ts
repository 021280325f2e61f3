import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';

/** What a cached bundle was built from: every file webpack read, with its content hash. */
interface CacheEntry {
  readonly sources: readonly (readonly [path: string, sha256: string])[];
  /** File name of the bundle in the cache directory (its map: `<code>.map`). */
  readonly code: string;
}

/** A bundle with the files it was built from, as {@link cachedWorkflowBundle}'s `build` returns it. */
export interface BuiltWorkflowBundle {
  readonly bundle: WorkflowBundleWithSourceMap;
  /** Absolute paths of the files on disk that went into it. */
  readonly files: readonly string[];
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/**
 * The bundle from `cacheDir` when every file it was built from still has the
 * content it had, else `build()`'s, which is then stored there. `key` names
 * what the file list cannot show (SDK version, bundler options, entry); a
 * file a new import adds is read by a file that changed, so the list need
 * not be known beforehand. A cache that cannot be read or written is a miss,
 * never an error.
 */
export async function cachedWorkflowBundle(
  cacheDir: string,
  key: string,
  build: () => Promise<BuiltWorkflowBundle>,
): Promise<WorkflowBundleWithSourceMap> {
  const entryFile = join(cacheDir, `workflow-bundle-${sha256(key).slice(0, 16)}.json`);
  const hit = await readEntry(cacheDir, entryFile).catch(() => undefined);
  if (hit) return hit;
  const built = await build();
  await writeEntry(cacheDir, entryFile, built).catch(() => undefined);
  return built.bundle;
}

async function readEntry(
  cacheDir: string,
  entryFile: string,
): Promise<WorkflowBundleWithSourceMap | undefined> {
  const entry = JSON.parse(await readFile(entryFile, 'utf8')) as CacheEntry;
  const current = await Promise.all(
    entry.sources.map(async ([path]) => sha256(await readFile(path))),
  );
  if (current.some((hash, i) => hash !== entry.sources[i]![1])) return undefined;
  const [code, sourceMap] = await Promise.all([
    readFile(join(cacheDir, entry.code), 'utf8'),
    readFile(join(cacheDir, `${entry.code}.map`), 'utf8'),
  ]);
  return { code, sourceMap };
}

async function writeEntry(
  cacheDir: string,
  entryFile: string,
  built: BuiltWorkflowBundle,
): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  const sources = await Promise.all(
    [...built.files].sort().map(async (path) => [path, sha256(await readFile(path))] as const),
  );
  // Named by content: a reader never sees a half-written or foreign bundle.
  const code = `workflow-bundle-${sha256(built.bundle.code).slice(0, 16)}.js`;
  const previous = await readFile(entryFile, 'utf8')
    .then((text) => (JSON.parse(text) as CacheEntry).code)
    .catch(() => undefined);
  await atomicWrite(join(cacheDir, code), built.bundle.code);
  await atomicWrite(join(cacheDir, `${code}.map`), built.bundle.sourceMap);
  await atomicWrite(entryFile, JSON.stringify({ sources, code } satisfies CacheEntry));
  if (previous && previous !== code) {
    await rm(join(cacheDir, previous), { force: true });
    await rm(join(cacheDir, `${previous}.map`), { force: true });
  }
}

async function atomicWrite(file: string, data: string): Promise<void> {
  const tmp = `${file}.${randomUUID()}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}
