import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  compileProcessDefinition,
  createDefinitionResolver,
  exportBpmn,
  importBpmn,
  lintProcessDefinition,
  type ProcessDefinition,
} from '@ameide/process-definition';
import { salesServiceRegistry } from '@ameide/process-definition/testing';

const EXAMPLES = fileURLToPath(new URL('../../../../examples/processes/', import.meta.url));
const files = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.bpmn'))
  .sort();
const options = {
  services: salesServiceRegistry,
  definitions: createDefinitionResolver({ 'credit-check': [1], 'credit-limit-check': [1] }),
  decisions: createDefinitionResolver({ 'credit-risk': [1], 'order-discount': [1] }),
};

async function load(file: string): Promise<ProcessDefinition> {
  const result = await importBpmn(readFileSync(join(EXAMPLES, file), 'utf8'));
  expect(result.diagnostics).toEqual([]);
  if (!result.ok) throw new Error(`${file} did not import`);
  return result.definition;
}

describe('examples/processes', () => {
  it('has at least ten examples', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  describe.each(files)('%s', (file) => {
    it('imports without diagnostics and lints clean', async () => {
      const def = await load(file);
      expect(lintProcessDefinition(def, options).diagnostics).toEqual([]);
    });

    it('round-trips: import → export → import gives an equal definition', async () => {
      const def = await load(file);
      const again = await importBpmn(await exportBpmn(def));
      expect(again.diagnostics).toEqual([]);
      expect(again.definition).toStrictEqual(def);
    });

    it('compiles deterministically', async () => {
      const first = compileProcessDefinition(await load(file), options);
      const second = compileProcessDefinition(await load(file), options);
      expect(first.ok && second.ok).toBe(true);
      if (!first.ok || !second.ok) return;
      expect(second.json).toBe(first.json);
      expect(second.hash).toBe(first.hash);
      expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    });
  });
});
