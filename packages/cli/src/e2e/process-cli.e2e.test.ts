import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-harness.js';

const examples = fileURLToPath(new URL('../../../../examples/processes', import.meta.url));

describe('ameide process lint|import|export|compile (offline)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ameide-process-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('every example lints clean with the shipped proto registry', async () => {
    const files = (await readdir(examples)).filter((f) => f.endsWith('.bpmn'));
    expect(files.length).toBeGreaterThanOrEqual(10);
    const results = await Promise.all(
      files.map((f) => runCli(['process', 'lint', join(examples, f)])),
    );
    for (const [i, r] of results.entries()) {
      expect(r.code, `${files[i]}: ${r.stdout}${r.stderr}`).toBe(0);
      expect(r.stderr).toContain('0 error(s)');
    }
  });

  it('import → compile → export → import: plan is deterministic, the definition round-trips', async () => {
    const def = join(dir, 'o2c.json');
    expect(
      (await runCli(['process', 'import', join(examples, 'order-to-cash.bpmn'), '-o', def])).code,
    ).toBe(0);
    const c1 = await runCli(['process', 'compile', def, '-o', join(dir, 'plan1.json')]);
    const c2 = await runCli([
      'process',
      'compile',
      join(examples, 'order-to-cash.bpmn'),
      '-o',
      join(dir, 'plan2.json'),
    ]);
    expect(c1.code, c1.stderr).toBe(0);
    expect(c2.code, c2.stderr).toBe(0);
    expect(await readFile(join(dir, 'plan1.json'), 'utf8')).toBe(
      await readFile(join(dir, 'plan2.json'), 'utf8'),
    );
    expect(c1.stderr).toMatch(/compiled, plan [0-9a-f:sha]+/);
    const bpmn = join(dir, 'o2c.bpmn');
    expect((await runCli(['process', 'export', def, '-o', bpmn])).code).toBe(0);
    const again = await runCli(['process', 'import', bpmn]);
    expect(JSON.parse(again.stdout)).toEqual(JSON.parse(await readFile(def, 'utf8')));
  });

  it('reports errors as file:id: CODE severity: message, exits 1, and refuses to compile', async () => {
    const def = JSON.parse(
      (await runCli(['process', 'import', join(examples, 'order-to-cash.bpmn')])).stdout,
    ) as {
      nodes: { id: string; type: string; data: { binding?: { method: string } } }[];
    };
    const task = def.nodes.find((n) => n.type === 'serviceTask')!;
    task.data.binding!.method = 'Teleport';
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify(def));
    const lint = await runCli(['process', 'lint', bad]);
    expect(lint.code).toBe(1);
    expect(lint.stdout).toMatch(
      new RegExp(
        `^${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:${task.id}: AM\\d{3} error: .*Teleport`,
        'm',
      ),
    );
    const json = await runCli(['process', 'lint', bad, '--format', 'json']);
    const diagnostics = JSON.parse(json.stdout) as {
      code: string;
      elementId: string;
      severity: string;
    }[];
    expect(
      diagnostics.some(
        (d) => d.elementId === task.id && d.severity === 'error' && /^AM\d{3}$/.test(d.code),
      ),
    ).toBe(true);
    const compile = await runCli(['process', 'compile', bad, '-o', join(dir, 'never.json')]);
    expect(compile.code).toBe(1);
    await expect(readFile(join(dir, 'never.json'))).rejects.toThrow();
    const missing = await runCli(['process', 'lint', join(dir, 'nope.bpmn')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no such file');
  });
});
