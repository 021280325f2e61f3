// Contract tests of the ${{ values.name }} agent: its AgentDefinition lints clean, compiles to a
// pinned config whose every tool has an argument schema derived from the proto method, reads
// are NO_SIDE_EFFECTS methods and writes are proposals, and the Agent resource allows exactly
// the definition's methods.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileAgentDefinition, lintAgentDefinition } from '@ameide/agent-definition';

const definition: unknown = JSON.parse(readFileSync(new URL('../agent.json', import.meta.url), 'utf8'));
const resource = parse(readFileSync(new URL('../deploy/agent.yaml', import.meta.url), 'utf8')) as {
  spec: { tools: string[]; definition: { name: string } };
};

describe('the ${{ values.name }} AgentDefinition', () => {
  it('is lint-clean', () => {
    expect(lintAgentDefinition(definition).violations.map((v) => `${v.field}: ${v.description}`)).toEqual([]);
  });

  it('compiles: every tool has an argument schema from its proto method', () => {
    const compiled = compileAgentDefinition(definition);
    if (!compiled.ok) throw new Error(compiled.violations.map((v) => v.description).join('; '));
    expect(compiled.hash).toMatch(/^[0-9a-f]{64}$/);
    for (const tool of compiled.config.tools) {
      expect(tool.parameters, tool.name).toMatchObject({ type: 'object' });
      expect(tool.readOnly, tool.name).toBe(tool.risk === 'read');
    }
  });

  it('matches its Agent resource: the same name and exactly the same methods', () => {
    const compiled = compileAgentDefinition(definition);
    if (!compiled.ok) throw new Error('does not compile');
    expect(resource.spec.definition.name).toBe('${{ values.name }}');
    expect([...resource.spec.tools].sort()).toEqual(compiled.config.tools.map((t) => t.rpc).sort());
  });
});
