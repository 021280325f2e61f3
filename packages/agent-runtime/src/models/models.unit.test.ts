import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileAgentDefinition, type AgentRuntimeConfig } from '@ameide/agent-definition';
import { isAmeideError } from '@ameide/errors';
import {
  createModelFactory,
  localModelUnavailable,
  parseTurn,
  ScriptedChatModel,
  idsIn,
  turnSchema,
} from '@ameide/agent-runtime';

const compiled = compileAgentDefinition(
  JSON.parse(
    readFileSync(
      new URL('../../../../examples/agents/order-assistant.json', import.meta.url),
      'utf8',
    ),
  ) as unknown,
);
if (!compiled.ok) throw new Error('the example does not compile');
const config: AgentRuntimeConfig = compiled.config;

describe('the grammar of a local model turn', () => {
  it('is one object per tool (its required arguments, strings bounded) or an answer', () => {
    expect(turnSchema(config.tools)).toEqual({
      oneOf: [
        {
          type: 'object',
          properties: {
            tool: { const: 'get_customer' },
            arguments: {
              type: 'object',
              properties: { customerId: { type: 'string', maxLength: 64 } },
            },
          },
        },
        {
          type: 'object',
          properties: {
            tool: { const: 'propose_order' },
            arguments: {
              type: 'object',
              properties: {
                customerId: { type: 'string', maxLength: 64 },
                currency: { enum: ['EUR', 'USD', 'GBP'] },
              },
            },
          },
        },
        { type: 'object', properties: { answer: { type: 'string', maxLength: 400 } } },
      ],
    });
  });

  it('grounds id arguments in the ids the conversation holds, and only when it holds some', () => {
    const a = '01a234a1-6f84-744e-a8c6-e1cd92119c43';
    const b = '01A234A1-6F84-744E-A8C6-E1CD92111224';
    const ids = idsIn(`customer ${a} and ${b}; again ${a}; not an id: 01a234a1-6f84`);
    expect(ids).toEqual([a, b]);
    const grounded = turnSchema(config.tools, { ids }) as {
      oneOf: { properties: { arguments: { properties: Record<string, unknown> } } }[];
    };
    expect(grounded.oneOf[0]!.properties.arguments.properties).toEqual({
      customerId: { enum: [a, b] },
    });
    expect(grounded.oneOf[1]!.properties.arguments.properties).toEqual({
      customerId: { enum: [a, b] },
      currency: { enum: ['EUR', 'USD', 'GBP'] },
    });
    expect(turnSchema(config.tools, { ids: [] })).toEqual(turnSchema(config.tools));
  });

  it('reads output as a tool call, an answer, or malformed', () => {
    expect(
      parseTurn('{"tool": "get_customer", "arguments": {"customerId": "c1"}}', config.tools),
    ).toEqual({
      kind: 'tool_calls',
      calls: [{ name: 'get_customer', args: { customerId: 'c1' } }],
    });
    expect(parseTurn('{"answer": "done"}', config.tools)).toEqual({ kind: 'answer', text: 'done' });
    expect(parseTurn('{"tool": "drop_tables"}', config.tools).kind).toBe('malformed');
    expect(parseTurn('{"tool": ', config.tools).kind).toBe('malformed');
  });
});

describe('models', () => {
  it('an OpenAI-compatible model without an endpoint is failed_precondition naming the variables', () => {
    const factory = createModelFactory({ env: {} });
    let err: unknown;
    try {
      factory({ ...config, model: { ...config.model, provider: 'openai' } });
    } catch (e) {
      err = e;
    }
    expect(isAmeideError(err) && err.code).toBe('failed_precondition');
    expect((err as Error).message).toMatch(/AMEIDE_OPENAI_BASE_URL and AMEIDE_OPENAI_API_KEY/);
  });

  it('a scripted model from the definition checks its script, naming the entry', () => {
    const factory = createModelFactory({ env: {} });
    expect(() =>
      factory({
        ...config,
        model: { ...config.model, provider: 'scripted', script: [{ say: 'hi' }] },
      }),
    ).toThrow(/model\.parameters\.script\.0/);
    expect(
      factory({
        ...config,
        model: { ...config.model, provider: 'scripted', script: [{ answer: 'hi' }] },
      }),
    ).toBeInstanceOf(ScriptedChatModel);
  });

  it('says how to install the embedded model when it is missing', async () => {
    expect(await localModelUnavailable('/nonexistent/model.gguf')).toMatch(
      /^the SmolLM2 model is not at \/nonexistent\/model\.gguf: run `node scripts\/ensure-smollm2\.mjs`/,
    );
  });
});
