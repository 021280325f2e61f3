import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

/** A UISurface found in the repository layout (e.g. one the uisurface-primitive template wrote). */
export interface DiscoveredUiSurface {
  /** `metadata.name` of its UISurface manifest; it is served under `/<name>/`. */
  readonly name: string;
  /** `apps/<dir>`. */
  readonly dir: string;
  /** `apps/<dir>/deploy/uisurface.yaml`. */
  readonly manifest: string;
  /** The static export (`next build` with `output: 'export'`): `apps/<dir>/out`. */
  readonly outDir: string;
  /** Whether `outDir` holds a build. */
  readonly built: boolean;
}

/**
 * The UISurface primitives of a repository layout besides the built-in console: every
 * `apps/<dir>/deploy/uisurface.yaml` that is an `ameide.io/v1alpha1` UISurface.
 */
export async function discoverUiSurfaces(
  root: string,
  options: { readonly builtIn?: readonly string[] } = {},
): Promise<DiscoveredUiSurface[]> {
  const builtIn = new Set(options.builtIn ?? ['console']);
  const appsDir = resolve(root, 'apps');
  if (!existsSync(appsDir)) return [];
  const found: DiscoveredUiSurface[] = [];
  for (const entry of (await readdir(appsDir, { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    if (!entry.isDirectory()) continue;
    const dir = join(appsDir, entry.name);
    const manifest = join(dir, 'deploy', 'uisurface.yaml');
    if (!existsSync(manifest)) continue;
    const doc = parse(await readFile(manifest, 'utf8')) as {
      apiVersion?: string;
      kind?: string;
      metadata?: { name?: string };
    } | null;
    if (doc?.apiVersion !== 'ameide.io/v1alpha1' || doc.kind !== 'UISurface') continue;
    const name = doc.metadata?.name;
    if (typeof name !== 'string') throw new Error(`${manifest}: metadata.name is missing`);
    if (builtIn.has(name)) continue;
    const outDir = join(dir, 'out');
    found.push({ name, dir, manifest, outDir, built: existsSync(join(outDir, 'index.html')) });
  }
  return found;
}
