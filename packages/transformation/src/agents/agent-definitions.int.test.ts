import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isAmeideError } from '@ameide/errors';
import type { AgentRuntimeConfig } from '@ameide/agent-definition';
import { createArtifactStore } from '../artifacts/artifact-store.js';
import { sha256Hex } from '../artifacts/content-rules.js';
import { openMigratedDatabase } from '../testing/store-fixture.js';
import { agentDefinitionRules } from './agent-definition-rules.js';

const orderAssistant = readFileSync(
  new URL('../../../../examples/agents/order-assistant.json', import.meta.url),
  'utf8',
);
const encode = (s: string) => new TextEncoder().encode(s);

describe('agent_definition artifacts', () => {
  it('lints drafts with AGD codes and publishes a pinned, hashed runtime config', async () => {
    const opened = await openMigratedDatabase('pglite', 'agent_definitions');
    try {
      const store = createArtifactStore({
        db: opened.db,
        rules: { agent_definition: agentDefinitionRules() },
      });
      const actor = { tenantId: 'acme', userId: 'alice' };
      const bad = JSON.parse(orderAssistant) as { tools: { risk: string }[] };
      bad.tools[1]!.risk = 'read';
      let refused: unknown;
      try {
        await store.create(actor, {
          kind: 'agent_definition',
          name: 'order-assistant',
          contentType: 'application/json',
          content: encode(JSON.stringify(bad)),
        });
      } catch (err) {
        refused = err;
      }
      expect(isAmeideError(refused) && refused.code).toBe('invalid_argument');
      const first = isAmeideError(refused) ? refused.fieldViolations[0] : undefined;
      expect(first?.field).toBe('content.tools.1.risk');
      expect(first?.description).toMatch(/^AGD003: ameide\.sales\.v1\.OrderService\/CreateOrder/);

      const a = await store.create(actor, {
        kind: 'agent_definition',
        name: 'order-assistant',
        contentType: 'application/json',
        content: encode(orderAssistant),
      });
      await store.publish(actor, { artifactId: a.id });
      const { version, plan } = await store.getPublishedPlan(
        actor,
        { kind: 'agent_definition', name: 'order-assistant' },
        'latest',
      );
      const config = JSON.parse(new TextDecoder().decode(plan)) as AgentRuntimeConfig;
      expect(version.planHash).toBe(sha256Hex(plan));
      expect(config).toMatchObject({
        configVersion: 1,
        name: 'order-assistant',
        limits: { maxSteps: 6, maxToolCalls: 4, tokenBudget: 6000, timeoutMs: 120000 },
        policy: { approverGroup: 'sales-managers' },
      });
      expect(config.tools.map((t) => `${t.name}:${t.risk}:${t.readOnly}`)).toEqual([
        'get_customer:read:true',
        'propose_order:propose:false',
      ]);
    } finally {
      await opened.close();
    }
  });
});
