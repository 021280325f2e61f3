import { compileAgentDefinition, lintAgentDefinition } from '@ameide/agent-definition';
import type { ArtifactKindRules } from '../artifacts/content-rules.js';
import { refuseIfInvalid } from '../artifacts/content-rules.js';

const decoder = new TextDecoder();

/**
 * Validation and publish hooks of the `agent_definition` kind: every draft is linted (AGD
 * codes: unknown method, write method marked read, missing schema, unbounded loop, ...);
 * publishing compiles it to the pinned, hashed AgentRuntimeConfig stored with the version
 * (its sha256 is the plan hash) and records the methods it may call for the Graph.
 */
export function agentDefinitionRules(): ArtifactKindRules {
  return {
    validate(content, contentType) {
      if (!/json/i.test(contentType)) {
        return [{ field: 'content_type', description: 'agent definitions are application/json' }];
      }
      return lintAgentDefinition(JSON.parse(decoder.decode(content)) as unknown).violations;
    },
    sandboxRequired(content) {
      const compiled = compileAgentDefinition(JSON.parse(decoder.decode(content)) as unknown);
      if (!compiled.ok || !compiled.config.policy.allowAct) return undefined;
      const act = compiled.config.tools.filter((t) => t.risk === 'act').map((t) => t.name);
      return act.length ? `it allows act tools (${act.join(', ')})` : undefined;
    },
    publish(content) {
      const compiled = compileAgentDefinition(JSON.parse(decoder.decode(content)) as unknown);
      if (!compiled.ok) {
        refuseIfInvalid('agent definition', compiled.violations);
        throw new Error('unreachable: a failed compile has violations');
      }
      return Promise.resolve({
        plan: compiled.bytes,
        planHash: compiled.hash,
        references: { calls: compiled.calls },
      });
    },
  };
}
