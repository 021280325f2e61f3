// `ameide scaffold` renders every template exactly as Backstage does: each template and each
// parameter set is rendered by Backstage's own fetch:template action and by this package, and
// the two trees must be equal byte for byte (paths, contents, permission bits).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findTemplate, renderTemplate, writeScaffold } from '@ameide/factory';
import { readTree, renderWithBackstage, type Tree } from './testing/backstage-reference.js';
import { parameterSets } from './testing/parameter-sets.js';

function describeDifference(ours: Tree, theirs: Tree): string[] {
  const problems: string[] = [];
  for (const [path, entry] of theirs) {
    const mine = ours.get(path);
    if (!mine) problems.push(`missing: ${path}`);
    else if (entry === 'dir' || mine === 'dir') {
      if (entry !== mine) problems.push(`kind differs: ${path}`);
    } else if (!entry.content.equals(mine.content)) {
      problems.push(
        `content differs: ${path}\n--- backstage\n${entry.content.toString()}\n--- ameide\n${mine.content.toString()}`,
      );
    } else if (entry.mode !== mine.mode) problems.push(`mode differs: ${path}`);
  }
  for (const path of ours.keys()) if (!theirs.has(path)) problems.push(`extra: ${path}`);
  return problems;
}

describe.each(Object.entries(parameterSets))('template %s', (name, sets) => {
  it.each(Object.entries(sets))('renders like Backstage: %s', async (_label, parameters) => {
    const template = await findTemplate(name);
    const backstage = await renderWithBackstage(template, parameters);
    const out = await mkdtemp(join(tmpdir(), 'ameide-scaffold-'));
    try {
      await writeScaffold(await renderTemplate(template, parameters), out);
      const theirs = await readTree(backstage.dir);
      const ours = await readTree(out);
      expect(describeDifference(ours, theirs)).toEqual([]);
      expect(theirs.size).toBeGreaterThan(5);
    } finally {
      await backstage.cleanup();
      await rm(out, { recursive: true, force: true });
    }
  });
});
