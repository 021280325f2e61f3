import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cachedWorkflowBundle, type BuiltWorkflowBundle } from './workflow-bundle-cache.js';

describe('cachedWorkflowBundle', () => {
  let dir: string;
  let source: string;
  let builds: number;
  const build = (): Promise<BuiltWorkflowBundle> => {
    builds++;
    return Promise.resolve({
      bundle: { code: `// bundle ${builds}`, sourceMap: `{"n":${builds}}` },
      files: [source],
    });
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ameide-bundle-cache-'));
    source = join(dir, 'workflow.ts');
    await writeFile(source, 'export const a = 1;');
    builds = 0;
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('bundles once, then answers from the cache while the sources are unchanged', async () => {
    const cacheDir = join(dir, 'cache');
    const first = await cachedWorkflowBundle(cacheDir, 'k', build);
    const again = await cachedWorkflowBundle(cacheDir, 'k', build);
    expect(builds).toBe(1);
    expect(again).toEqual(first);
  });

  it('bundles again when a source changed, and keeps only the newest bundle', async () => {
    const cacheDir = join(dir, 'cache');
    await cachedWorkflowBundle(cacheDir, 'k', build);
    await writeFile(source, 'export const a = 2;');
    const changed = await cachedWorkflowBundle(cacheDir, 'k', build);
    expect(builds).toBe(2);
    expect(changed.code).toBe('// bundle 2');
    expect(await cachedWorkflowBundle(cacheDir, 'k', build)).toEqual(changed);
    expect(builds).toBe(2);
    expect((await readdir(cacheDir)).filter((f) => f.endsWith('.js'))).toHaveLength(1);
  });

  it('bundles again for another key, or when a source is gone', async () => {
    const cacheDir = join(dir, 'cache');
    await cachedWorkflowBundle(cacheDir, 'k', build);
    await cachedWorkflowBundle(cacheDir, 'other sdk version', build);
    expect(builds).toBe(2);
    await rm(source);
    await cachedWorkflowBundle(cacheDir, 'k', build);
    expect(builds).toBe(3);
  });

  it('treats a damaged cache as a miss, and an unwritable one as no cache', async () => {
    const cacheDir = join(dir, 'cache');
    await cachedWorkflowBundle(cacheDir, 'k', build);
    for (const f of await readdir(cacheDir)) await writeFile(join(cacheDir, f), '{ not json');
    expect((await cachedWorkflowBundle(cacheDir, 'k', build)).code).toBe('// bundle 2');
    const blocked = join(dir, 'a-file');
    await writeFile(blocked, '');
    expect((await cachedWorkflowBundle(join(blocked, 'cache'), 'k', build)).code).toBe(
      '// bundle 3',
    );
  });
});
