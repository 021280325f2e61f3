import { describe, expect, it } from 'vitest';
import {
  compileProcessDefinition,
  exportBpmn,
  formatDiagnostic,
  importBpmn,
  lintProcessDefinition,
} from '@ameide/process-definition';
import { definition } from './definition.js';

describe('the ${{ values.name }} ProcessDefinition', () => {
  it('is lint-clean: no errors, no warnings', () => {
    const lint = lintProcessDefinition(definition);
    expect(lint.diagnostics.map(formatDiagnostic)).toEqual([]);
  });

  it('compiles to a content-hashed ExecutionPlan', () => {
    const compiled = compileProcessDefinition(definition);
    expect(compiled.ok).toBe(true);
    if (compiled.ok) expect(compiled.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('round-trips through BPMN 2.0 and stays lint-clean', async () => {
    const lint = lintProcessDefinition(definition);
    const xml = await exportBpmn(lint.definition!);
    expect(xml).toContain('<bpmn:userTask id="Task_Review"');
    const imported = await importBpmn(xml);
    expect(lintProcessDefinition(imported.definition).errorCount).toBe(0);
  });
});
