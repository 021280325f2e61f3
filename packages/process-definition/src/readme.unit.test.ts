import { describe, expect, it } from 'vitest';
import { lintRules } from '@ameide/process-definition';
// README-START
import { readFileSync } from 'node:fs';
import {
  compileProcessDefinition,
  formatDiagnostic,
  importBpmn,
  lintProcessDefinition,
} from '@ameide/process-definition';
import { salesServiceRegistry } from '@ameide/process-definition/testing';

async function compileOrderToCash() {
  const xml = readFileSync('examples/processes/order-to-cash.bpmn', 'utf8');
  const imported = await importBpmn(xml);
  if (!imported.ok) throw new Error(imported.diagnostics.map(formatDiagnostic).join('\n'));

  const options = { services: salesServiceRegistry };
  const lint = lintProcessDefinition(imported.definition, options);

  const compiled = compileProcessDefinition(imported.definition, options);
  if (!compiled.ok) throw new Error(compiled.diagnostics.map(formatDiagnostic).join('\n'));
  return { lint, hash: compiled.hash, approve: compiled.plan.nodes['Task_ApproveOrder'] };
}
// README-END

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('shows the example that this test runs', () => {
    const test = readFileSync(new URL(import.meta.url), 'utf8');
    const example = test.split('// README-START\n')[1]!.split('// README-END')[0]!;
    expect(readme).toContain(example.trim());
  });

  it('the example imports, lints clean and compiles order-to-cash', async () => {
    const { lint, hash, approve } = await compileOrderToCash();
    expect(lint.diagnostics).toEqual([]);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(approve).toMatchObject({
      type: 'userTask',
      task: { title: 'Approve order', candidateGroups: { feel: '["sales"]' } },
      outgoing: [{ edge: 'Flow_5', target: 'Task_RecordPayment' }],
    });
  });

  it('lists every lint rule', () => {
    for (const rule of lintRules) expect(readme).toContain(`| ${rule.code} |`);
  });
});
