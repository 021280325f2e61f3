import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareBpmn } from '@ameide/process-definition/testing';
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

  it('import --collaboration writes a definition per pool and the document part; export writes the document back', async () => {
    const fixture = fileURLToPath(
      new URL(
        '../../../process-definition/test/fixtures/camunda-modeler-collaboration.bpmn',
        import.meta.url,
      ),
    );
    const out = join(dir, 'collaboration');
    const imported = await runCli(['process', 'import', fixture, '--collaboration', '-o', out]);
    expect(imported.code, imported.stderr).toBe(0);
    expect((await readdir(out)).sort()).toEqual([
      'Process_Sales.json',
      'Process_Warehouse.json',
      'collaboration.json',
    ]);
    expect(imported.stderr).toContain(
      `2 process(es) imported into ${out}: Process_Sales.json, Process_Warehouse.json, collaboration.json`,
    );
    const defs = ['Process_Sales.json', 'Process_Warehouse.json'].map((f) => join(out, f));
    const part = join(out, 'collaboration.json');
    const bpmn = join(dir, 'collaboration.bpmn');
    const exported = await runCli([
      'process',
      'export',
      ...defs,
      '--collaboration',
      part,
      '-o',
      bpmn,
    ]);
    expect(exported.code, exported.stderr).toBe(0);
    // Every element, reference and DI shape of the original is back (compared via bpmn-moddle).
    expect(
      await compareBpmn(await readFile(fixture, 'utf8'), await readFile(bpmn, 'utf8')),
    ).toEqual([]);
    // Without the part: one document with a pool per definition, pools and message flows of
    // the original gone, but both processes there.
    const bare = await runCli(['process', 'export', ...defs]);
    expect(bare.code, bare.stderr).toBe(0);
    expect(bare.stdout).toMatch(/<bpmn:process id="Process_Sales"/);
    expect(bare.stdout).toMatch(/<bpmn:process id="Process_Warehouse"/);

    // Mistakes name the file.
    const asDefinition = await runCli(['process', 'export', ...defs, part]);
    expect(asDefinition.code).toBe(1);
    expect(asDefinition.stderr).toBe(
      `ameide: ${part} is a collaboration part: pass it with --collaboration ${part}\n`,
    );
    const twice = await runCli(['process', 'export', defs[0]!, defs[0]!]);
    expect(twice.stderr).toBe(`ameide: ${defs[0]} and ${defs[0]} are both process Process_Sales\n`);
    const badPart = join(dir, 'bad-part.json');
    await writeFile(badPart, '{"residuals": 7}');
    const bad = await runCli(['process', 'export', ...defs, '--collaboration', badPart]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      new RegExp(
        `^ameide: ${badPart.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not a collaboration part written by .*residuals: `,
      ),
    );
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
