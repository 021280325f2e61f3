// What `ameide dev` seeds the demo tenant with, on the Transformation Domain's own rules
// (PGlite): every example decision, process and agent publishes, and a second start seeds nothing.
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteDatabase, type Database } from '@ameide/persistence';
import {
  agentDefinitionRules,
  createArtifactStore,
  decisionDefinitionRules,
  migrateTransformation,
  processDefinitionRules,
  type ArtifactStore,
} from '@ameide/transformation';
import { agentExamplesDir, examplesDir, seedDemoAgents, seedDemoProcesses } from './seed-demo.js';

const names = (dir: string, ext: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(ext))
    .map((f) => f.slice(0, -ext.length))
    .sort();

describe('seeding the demo tenant', () => {
  let db: Database;
  let store: ArtifactStore;
  beforeAll(async () => {
    db = await createPgliteDatabase();
    await migrateTransformation(db);
    store = createArtifactStore({
      db,
      rules: {
        process_definition: processDefinitionRules(),
        agent_definition: agentDefinitionRules(),
        decision_definition: decisionDefinitionRules(),
      },
    });
  });
  afterAll(() => db?.close());

  it('publishes every example process and agent, once', async () => {
    const processes = await seedDemoProcesses(store);
    expect([...processes.published].sort()).toEqual(names(examplesDir, '.bpmn'));
    const agents = await seedDemoAgents(store);
    expect(agents.published).toEqual([
      'agent-proposal-review',
      ...names(agentExamplesDir, '.json'),
    ]);
    expect(agents.published).toContain('sales-assistant');
    expect((await seedDemoProcesses(store)).skipped).toBe(true);
    expect((await seedDemoAgents(store)).skipped).toBe(true);
  });
});
