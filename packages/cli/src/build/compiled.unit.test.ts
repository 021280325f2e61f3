// bin/compiled.js: the `ameide` command runs its sources compiled by esbuild, cached by the
// hash of every input. A throwaway workspace of two packages stands in for the repository.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compiled, compiledIn, workspaceEntries } from '../../bin/compiled.js';

const repo = resolve(import.meta.dirname, '..', '..', '..', '..');
let root: string;
let cacheRoot: string;

async function put(file: string, text: string): Promise<void> {
  await mkdir(dirname(join(root, file)), { recursive: true });
  await writeFile(join(root, file), text);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ameide-compiled-'));
  cacheRoot = join(root, 'cache');
  await put('package.json', JSON.stringify({ workspaces: ['packages/*'] }));
  await put('package-lock.json', '{}');
  await put(
    'packages/a/package.json',
    JSON.stringify({
      name: '@ameide/a',
      exports: { '.': './src/index.ts', './testing': './src/testing.ts', './data': './x.json' },
    }),
  );
  await put(
    'packages/a/src/index.ts',
    `export const here: string = import.meta.url;\nexport const value: number = 1;\n`,
  );
  await put('packages/a/src/testing.ts', `export const t = 1;\n`);
  await put(
    'packages/b/package.json',
    JSON.stringify({ name: '@ameide/b', exports: { '.': './src/index.ts' } }),
  );
  await put(
    'packages/b/src/index.ts',
    `import { value } from '@ameide/a';\nimport { parse } from 'yaml';\nexport const doubled = (): number => value * 2 + Number(parse('0'));\n`,
  );
  await mkdir(join(root, 'node_modules', '@ameide'), { recursive: true });
  await symlink(join(root, 'packages/a'), join(root, 'node_modules/@ameide/a'));
  await symlink(join(root, 'packages/b'), join(root, 'node_modules/@ameide/b'));
  await symlink(join(repo, 'node_modules/esbuild'), join(root, 'node_modules/esbuild'));
  await symlink(join(repo, 'node_modules/yaml'), join(root, 'node_modules/yaml'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const entries = () => workspaceEntries(root);
const load = async (file: string) =>
  (await import(`${pathToFileURL(file).href}?t=${Date.now()}`)) as Record<string, unknown>;

describe('the compiled ameide command', () => {
  it('has an entry per TypeScript export of a workspace package, test helpers left out', () => {
    expect(entries()).toEqual({
      '@ameide/a': join(root, 'packages/a/src/index.ts'),
      '@ameide/b': join(root, 'packages/b/src/index.ts'),
    });
  });

  it('compiles workspace packages into one build; node_modules stay imports; import.meta.url stays the source', async () => {
    const built = await compiled({ root, entries: entries(), cacheRoot });
    const b = await load(built.files['@ameide/b']!);
    expect((b.doubled as () => number)()).toBe(2);
    const a = await load(built.files['@ameide/a']!);
    expect(a.here).toBe(pathToFileURL(join(root, 'packages/a/src/index.ts')).href);
    const code = await readFile(built.files['@ameide/b']!, 'utf8');
    // yaml is imported from node_modules (by the path Node would load), not bundled.
    expect(code).toMatch(/from "\/[^"]*node_modules\/yaml\/[^"]*\.js"/);
    expect(code).not.toContain('class Composer');
  });

  it('uses the build again while no input changed, and rebuilds when one did', async () => {
    const first = await compiled({ root, entries: entries(), cacheRoot });
    const before = (await stat(first.files['@ameide/b']!)).mtimeMs;
    const again = await compiled({ root, entries: entries(), cacheRoot });
    expect(again.dir).toBe(first.dir);
    expect((await stat(again.files['@ameide/b']!)).mtimeMs).toBe(before);

    await put(
      'packages/a/src/index.ts',
      `export const here = import.meta.url;\nexport const value = 5;\n`,
    );
    const changed = await compiledIn({ root, entries: entries(), cacheRoots: [cacheRoot] });
    expect(changed.dir).not.toBe(first.dir);
    expect(((await load(changed.files['@ameide/b']!)).doubled as () => number)()).toBe(10);
  });

  it('builds in the next cache root when the first cannot be written to', async () => {
    // A file where the cache directory would be (root bypasses permissions, so no EACCES here).
    const blocked = join(root, 'blocked');
    await writeFile(blocked, '');
    const built = await compiledIn({
      root,
      entries: entries(),
      cacheRoots: [join(blocked, 'cache'), join(root, 'fallback')],
    });
    expect(built.dir.startsWith(join(root, 'fallback'))).toBe(true);
    expect(((await load(built.files['@ameide/b']!)).doubled as () => number)()).toBe(10);
  });

  it('removes builds older than an hour after a rebuild, but not one a running process uses', async () => {
    const source = (value: number) =>
      `export const here = import.meta.url;\nexport const value = ${value};\n`;
    await put('packages/a/src/index.ts', source(7));
    const used = await compiled({ root, entries: entries(), cacheRoot });
    await put('packages/a/src/index.ts', source(8));
    const unused = await compiled({ root, entries: entries(), cacheRoot });
    const hoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    // This test's process uses both; let only `used` say so.
    await rm(join(unused.dir, `.in-use-${process.pid}`));
    await utimes(used.dir, hoursAgo, hoursAgo);
    await utimes(unused.dir, hoursAgo, hoursAgo);
    await put('packages/a/src/index.ts', source(9));
    const latest = await compiled({ root, entries: entries(), cacheRoot });
    expect(existsSync(used.dir)).toBe(true);
    expect(existsSync(unused.dir)).toBe(false);
    expect(existsSync(join(latest.dir, `.in-use-${process.pid}`))).toBe(true);
  });

  it('names the file and line of a source that does not compile, and keeps no build of it', async () => {
    await put('packages/a/src/index.ts', `export const value = ;\n`);
    await expect(compiled({ root, entries: entries(), cacheRoot })).rejects.toThrow(
      /compiling the ameide command failed:\n {2}packages\/a\/src\/index\.ts:1: /,
    );
    await put(
      'packages/a/src/index.ts',
      `export const here = import.meta.url;\nexport const value = 5;\n`,
    );
    const fixed = await compiled({ root, entries: entries(), cacheRoot });
    expect(((await load(fixed.files['@ameide/b']!)).doubled as () => number)()).toBe(10);
  });
});
