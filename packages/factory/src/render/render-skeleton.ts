import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, posix, relative, resolve, sep } from 'node:path';
import type { Templater } from './templater.js';

/** One entry of a rendered tree: a directory, or a file with its bytes and mode. */
export type RenderedEntry =
  | { readonly kind: 'dir'; readonly path: string }
  | {
      readonly kind: 'file';
      readonly path: string;
      readonly content: Buffer;
      readonly mode: number;
    };

/** Every entry under `dir` (dot files too), as posix paths, directories ending in `/`. */
async function listEntries(root: string, dir = root): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, e.name);
    const rel = relative(root, full).split(sep).join(posix.sep);
    if (e.isDirectory()) {
      out.push(`${rel}/`);
      out.push(...(await listEntries(root, full)));
    } else {
      out.push(rel);
    }
  }
  return out;
}

/** Binary for this purpose: a NUL byte in the first 8 KiB, or bytes that are not UTF-8. */
function looksBinary(bytes: Buffer): boolean {
  if (bytes.subarray(0, 8192).includes(0)) return true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return false;
  } catch {
    return true;
  }
}

/**
 * Renders a skeleton directory the way `fetch:template` does: each path is rendered (an
 * entry whose path renders empty, absolute or with an empty segment is skipped: that is how a
 * template leaves a file out), each text file's contents are rendered with `values`, binary
 * files and symbolic links are copied as they are, file modes are kept. Nothing is written:
 * the caller gets the tree.
 */
export async function renderSkeleton(
  templater: Templater,
  skeletonDir: string,
  values: Readonly<Record<string, unknown>>,
): Promise<RenderedEntry[]> {
  const root = resolve(skeletonDir);
  const context = { values };
  const entries: RenderedEntry[] = [];
  const taken = new Set<string>();
  for (const location of (await listEntries(root)).sort()) {
    const path = templater.render(location, context, `path ${location}`);
    if (path === '' || path.startsWith('/') || path.includes('//')) continue;
    const normalized = posix.normalize(path);
    if (normalized.startsWith('../') || normalized === '..') {
      throw new Error(`path ${location} renders to ${path}, outside the target directory`);
    }
    if (taken.has(normalized)) continue; // fetch:template leaves an existing file alone
    taken.add(normalized);
    if (location.endsWith('/')) {
      entries.push({ kind: 'dir', path: normalized.replace(/\/$/, '') });
      continue;
    }
    const source = join(root, location);
    const stats = await lstat(source);
    const bytes = await readFile(source);
    const content =
      stats.isSymbolicLink() || looksBinary(bytes)
        ? bytes
        : Buffer.from(templater.render(bytes.toString('utf8'), context, location), 'utf8');
    entries.push({ kind: 'file', path: normalized, content, mode: stats.mode & 0o777 });
  }
  return entries;
}
