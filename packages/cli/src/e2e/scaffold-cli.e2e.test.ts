// `ameide scaffold` as a user types it: each template rendered by the CLI equals Backstage's
// own fetch:template output byte for byte; bad input (an invalid name, a reserved namespace, a
// missing parameter) and an existing file are refused with a reason naming the field, and
// nothing is written.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTemplate } from '@ameide/factory';
import { parameterSets, readTree, renderWithBackstage } from '@ameide/factory/testing';
import { runCli } from './cli-harness.js';

const pairs = (values: Record<string, unknown>) =>
  Object.entries(values).map(([k, v]) =>
    typeof v === 'string' ? `${k}=${v}` : `${k}:=${JSON.stringify(v)}`,
  );

// Every case spawns the CLI (tsx start-up, a few seconds each on a loaded 2-core machine): 180 s each.
describe('ameide scaffold', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'ameide-scaffold-cli-'));
  });
  afterAll(() => rm(work, { recursive: true, force: true }));

  it.each(Object.keys(parameterSets))(
    'renders %s exactly as Backstage does',
    { timeout: 180_000 },
    async (name) => {
      const [label, values] = Object.entries(parameterSets[name]!)[1]!;
      const out = join(work, `${name}-${label.replace(/\W+/g, '-')}`);
      const result = await runCli(['scaffold', name, '--values', ...pairs(values), '-o', out]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/skipped step .*needs a Backstage instance/);
      const backstage = await renderWithBackstage(await findTemplate(name), values);
      try {
        const theirs = await readTree(backstage.dir);
        const ours = await readTree(out);
        expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort());
        for (const [path, entry] of theirs) {
          const mine = ours.get(path)!;
          if (entry === 'dir') expect(mine, path).toBe('dir');
          else if (mine !== 'dir') expect(mine.content.equals(entry.content), path).toBe(true);
        }
      } finally {
        await backstage.cleanup();
      }
    },
  );

  const valid = {
    name: 'invoicing',
    owner: 'group:billing',
    system: 'order-to-cash',
    ownership: 'platform',
    namespace: 'ameide-apps',
  };

  it.each([
    ['an invalid name', { ...valid, name: 'Invoicing!' }, /name: does not match pattern/],
    [
      'a reserved namespace for a tenant-owned primitive',
      { ...valid, ownership: 'tenant', tenant: 'acme', sku: 'Shared', namespace: 'ameide-apps' },
      /namespace: "ameide-apps" is reserved: namespaces starting with "ameide-" hold platform primitives/,
    ],
    [
      "another tenant's namespace",
      {
        ...valid,
        ownership: 'tenant',
        tenant: 'acme',
        sku: 'Shared',
        namespace: 'tenant-globex-prod-cust',
      },
      /namespace: "tenant-globex-prod-cust" belongs to tenant "globex", not to tenant "acme"/,
    ],
    [
      'a missing parameter',
      { name: 'invoicing', ownership: 'platform', namespace: 'ameide-apps' },
      /owner: is required/,
    ],
  ])(
    'refuses %s, naming the field, and writes nothing',
    { timeout: 180_000 },
    async (_what, values, reason) => {
      const out = join(work, `refused-${Math.random().toString(36).slice(2)}`);
      const result = await runCli([
        'scaffold',
        'domain-primitive',
        '--values',
        ...pairs(values),
        '-o',
        out,
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /invalid_argument: invalid input for template domain-primitive; nothing was written/,
      );
      expect(result.stderr).toMatch(reason);
      await expect(readdir(out)).rejects.toMatchObject({ code: 'ENOENT' });
    },
  );

  it('refuses to overwrite an existing file and writes nothing', { timeout: 180_000 }, async () => {
    const out = join(work, 'existing');
    await runCli(['scaffold', 'domain-primitive', '--values', ...pairs(valid), '-o', out]);
    const before = await readTree(out);
    await writeFile(join(out, 'domains/invoicing/README.md'), 'mine\n');
    await rm(join(out, 'domains/invoicing/src/index.ts'));
    const again = await runCli([
      'scaffold',
      'domain-primitive',
      '--values',
      ...pairs(valid),
      '-o',
      out,
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      /already_exists: refusing to overwrite .*domains\/invoicing\/README\.md/,
    );
    const after = await readTree(out);
    expect(after.has('domains/invoicing/src/index.ts')).toBe(false);
    expect(after.size).toBe(before.size - 1);
  });

  it(
    'reads values from a YAML file and lists templates; --help explains',
    { timeout: 180_000 },
    async () => {
      const file = join(work, 'values.yaml');
      await writeFile(
        file,
        Object.entries(valid)
          .map(([k, v]) => `${k}: ${v}`)
          .join('\n'),
      );
      const dry = await runCli(['scaffold', 'domain-primitive', '--values', file, '--dry-run']);
      expect(dry.code).toBe(0);
      expect(dry.stdout).toMatch(/^domains\/invoicing\/package\.json$/m);
      const list = await runCli(['scaffold', '--list']);
      expect(list.stdout).toMatch(/^domain-primitive\s+domain-primitive/m);
      const help = await runCli(['scaffold', '--help']);
      expect(help.stdout).toMatch(/--values <file\|k=v\.\.\.>/);
      expect(help.stdout).toMatch(/tenant-\{id\}-\{env\}-cust/);
    },
  );
});
