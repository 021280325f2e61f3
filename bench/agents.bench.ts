import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { HumanMessage, SystemMessage, type AIMessage } from '@langchain/core/messages';
import { compileAgentDefinition, type AgentRuntimeConfig } from '@ameide/agent-definition';
import {
  createAgentRuntime,
  createSdkToolHost,
  LocalChatModel,
  localModelUnavailable,
  preloadLocalModel,
  ScriptedChatModel,
  type ProposalSink,
} from '@ameide/agent-runtime';
import { createPlatform } from '@ameide/platform';
import { createDevTokenProvider } from '@ameide/process-runtime';
import { createAmeideClient } from '@ameide/sdk';
import { createEphemeralDevIdentity } from '@ameide/server';
import { createSilentLogger } from '@ameide/server/testing';
import { compare, median, report } from './lib/measure.js';

function orderAssistant(): AgentRuntimeConfig {
  const r = compileAgentDefinition(
    JSON.parse(readFileSync('examples/agents/order-assistant.json', 'utf8')) as unknown,
  );
  if (!r.ok) throw new Error('examples/agents/order-assistant.json does not compile');
  return r.config;
}

/**
 * Agents: (a) one agent step that reads through a tool (runtime: LangGraph graph, scripted model,
 * schema check, SDK call as the caller) vs the same read as a direct SDK call, on the platform
 * (PGlite); (b) with the embedded SmolLM2 installed: load time, tokens/s and RSS, and over 50
 * fixed prompts how many tool calls parse and how many are correct (right tool, right arguments),
 * each turn's latency against a scripted model's turn in the same run.
 */
export async function benchAgents(): Promise<void> {
  const identity = await createEphemeralDevIdentity();
  const platform = await createPlatform({
    database: { pglite: true },
    identity,
    services: ['sales'],
    host: { port: 0 },
    logger: createSilentLogger(),
    retention: false,
  });
  try {
    const token = await identity.signToken({ tenantId: 'bench', userId: 'alice' });
    const client = createAmeideClient({ baseUrl: platform.url, token });
    const customerId = (
      await client.customers.createCustomer({
        name: 'Ada',
        email: 'ada@bench.test',
        creditLimit: { currency: 'EUR', amountMinor: 100_00n },
      })
    ).customer!.customerId;
    const config = orderAssistant();
    const proposals: ProposalSink = { create: () => Promise.resolve({ proposalId: 'none' }) };
    const runtime = createAgentRuntime({
      host: createSdkToolHost({
        serviceUrl: platform.url,
        tokens: createDevTokenProvider(identity),
      }),
      proposals,
      models: () =>
        new ScriptedChatModel([
          { toolCalls: [{ name: 'get_customer', args: { customerId } }] },
          { answer: 'found' },
        ]),
    });
    const caller = {
      tenantId: 'bench',
      orgId: '',
      userId: 'alice',
      groups: [],
      traceId: randomBytes(16).toString('hex'),
    };
    const direct = () => client.customers.getCustomer({ customerId });
    const agentStep = async () => {
      const r = await runtime.run({
        config,
        version: 1,
        configHash: '',
        caller,
        input: 'Read Ada',
      });
      if (r.status !== 'completed') throw new Error(`agent run ${r.status}: ${r.message}`);
    };
    const c = await compare(direct, agentStep, { opsPerRound: 40, rounds: 5 });
    report(
      'agent run with one read tool call (2 model steps, scripted)',
      c.candidate.usPerOp / 1000,
      'ms',
      c.timeRatio,
      'direct SDK GetCustomer',
    );
    report('direct SDK GetCustomer', c.baseline.usPerOp / 1000, 'ms', 1, 'itself');
  } finally {
    await platform.close();
  }

  const why = await localModelUnavailable();
  if (why) {
    console.log(`embedded model: skipped (${why})`);
    return;
  }
  const rssBefore = process.memoryUsage().rss;
  const { loadMs } = await preloadLocalModel();
  const rssAfter = process.memoryUsage().rss;
  const config = orderAssistant();
  const tools = config.tools;
  const ids = Array.from(
    { length: 25 },
    (_, i) =>
      `01a2${String(i).padStart(4, '0')}-a98f-73c1-88a6-5a2cb32f95${String(i).padStart(2, '0')}`,
  );
  const currencies = ['EUR', 'USD', 'GBP'] as const;
  const prompts = [
    ...ids.map((id) => ({
      text: `Look up the customer with id ${id}.`,
      tool: 'get_customer',
      args: { customerId: id },
    })),
    ...ids.map((id, i) => ({
      text: `Propose an order in ${currencies[i % 3]} for customer ${id}.`,
      tool: 'propose_order',
      args: { customerId: id, currency: currencies[i % 3] },
    })),
  ];
  const system =
    'You are the order assistant of a sales team. Call get_customer to look up a customer, propose_order to propose an order (customer id and currency). Use the exact id from the request.';
  const local = new LocalChatModel({ maxTokens: 80 });
  const scripted = new ScriptedChatModel(
    prompts.map((p) => ({ toolCalls: [{ name: p.tool, args: p.args }] })),
  );
  let parsed = 0;
  let correct = 0;
  let wrongTool = 0;
  let idFromPrompt = 0;
  let outTokens = 0;
  const localMs: number[] = [];
  const scriptedMs: number[] = [];
  for (const p of prompts) {
    const msgs = [new SystemMessage(system), new HumanMessage(p.text)];
    let t = performance.now();
    await scripted.invoke(msgs, { agentTools: tools });
    scriptedMs.push(performance.now() - t);
    t = performance.now();
    const reply = (await local.invoke(msgs, { agentTools: tools })) as AIMessage;
    localMs.push(performance.now() - t);
    outTokens +=
      (reply as unknown as { usage_metadata?: { output_tokens?: number } }).usage_metadata
        ?.output_tokens ?? 0;
    if (!reply.invalid_tool_calls?.length) parsed++;
    const call = reply.tool_calls?.[0];
    if (call && call.name === p.tool && JSON.stringify(call.args) === JSON.stringify(p.args))
      correct++;
    if (call && call.name !== p.tool) wrongTool++;
    if ((call?.args as { customerId?: string } | undefined)?.customerId === p.args.customerId)
      idFromPrompt++;
  }
  const totalLocalS = localMs.reduce((a, b) => a + b, 0) / 1000;
  report('embedded SmolLM2 load', loadMs, 'ms', loadMs / median(localMs), 'one tool-call turn');
  report(
    'embedded SmolLM2 tool-call turn (median)',
    median(localMs),
    'ms',
    median(localMs) / median(scriptedMs),
    'scripted model turn',
  );
  report(
    'embedded SmolLM2 generation',
    outTokens / totalLocalS,
    'tok/s',
    1,
    'itself (prompt evaluation included)',
  );
  report(
    'embedded SmolLM2 RSS after load',
    rssAfter / 1024 / 1024,
    'MB',
    rssAfter / rssBefore,
    'RSS before load',
  );
  report(
    `tool calls that parse (of ${prompts.length})`,
    parsed,
    'calls',
    parsed / prompts.length,
    'all prompts',
  );
  report(
    `tool calls that are correct (of ${prompts.length})`,
    correct,
    'calls',
    correct / prompts.length,
    'all prompts',
  );
  report(
    `tool calls naming the wrong tool (of ${prompts.length})`,
    wrongTool,
    'calls',
    wrongTool / prompts.length,
    'all prompts',
  );
  report(
    `tool calls with the prompt's customer id (of ${prompts.length})`,
    idFromPrompt,
    'calls',
    idFromPrompt / prompts.length,
    'all prompts',
  );
}
