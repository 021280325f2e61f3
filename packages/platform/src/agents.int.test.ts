import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allowlistedHost,
  createAgentRuntime,
  createSdkToolHost,
  ScriptedChatModel,
  type ScriptedReply,
} from '@ameide/agent-runtime';
import { compileAgentDefinition } from '@ameide/agent-definition';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { createDevTokenProvider } from '@ameide/process-runtime';
import { ArtifactKind, ProposalStatus, RunStatus, type RunAgentResponse } from '@ameide/proto';
import { createAmeideClient, isAmeideError, type AmeideClient } from '@ameide/sdk';
import { createEphemeralDevIdentity, type DevIdentity } from '@ameide/server';
import { createSilentLogger } from '@ameide/server/testing';
import { createPlatform, type Platform } from '@ameide/platform';

const orderAssistant = JSON.parse(
  readFileSync(new URL('../../../examples/agents/order-assistant.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

// The next run's model: the scripted one (the sanctioned deterministic model).
let script: ScriptedReply[] = [];

async function refusal(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    if (isAmeideError(err)) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

/**
 * The Agent primitive on createPlatform without a process service: the runtime's tool calls
 * go through the SDK to the real sales domain as the caller; proposals wait for a decision
 * and ApplyProposal (the review process's service task, called here directly).
 */
describe('agents on the platform (scripted model, real host)', () => {
  let platform: Platform;
  let identity: DevIdentity;
  let acme: AmeideClient;
  let acmeApprover: AmeideClient;
  let globex: AmeideClient;
  let acmeCustomer: string;
  let globexCustomer: string;

  const client = async (tenantId: string, userId: string, groups: string[] = []) =>
    createAmeideClient({
      baseUrl: platform.url,
      token: await identity.signToken({ tenantId, userId, groups }),
    });

  const publish = async (c: AmeideClient, definition: Record<string, unknown>) => {
    const { artifact } = await c.transformation.createArtifact({
      kind: ArtifactKind.AGENT_DEFINITION,
      name: definition['name'] as string,
      contentType: 'application/json',
      content: new TextEncoder().encode(JSON.stringify(definition)),
    });
    await c.transformation.publishArtifact({ artifactId: artifact!.id });
  };

  const run = async (c: AmeideClient, agent: string, replies: ScriptedReply[]) => {
    script = replies;
    const events: RunAgentResponse['event'][] = [];
    for await (const r of c.agents.runAgent({ agent, input: 'Propose an order for the customer.' }))
      events.push(r.event);
    const last = events.at(-1);
    if (last?.case !== 'run')
      throw new Error(`the stream did not end with the run: ${JSON.stringify(events)}`);
    return { run: last.value, events };
  };

  const ordersOf = async (c: AmeideClient, customerId: string) =>
    (await c.orders.listOrders({ pageSize: 100 })).orders.filter(
      (o) => o.customerId === customerId,
    );

  beforeAll(async () => {
    identity = await createEphemeralDevIdentity();
    platform = await createPlatform({
      database: { pglite: true },
      identity,
      services: ['sales'],
      host: { port: 0, hostname: '127.0.0.1' },
      logger: createSilentLogger(),
      retention: false,
      agents: { modelOverride: () => new ScriptedChatModel(script) },
    });
    acme = await client('acme', 'alice');
    acmeApprover = await client('acme', 'bob', ['sales-managers']);
    globex = await client('globex', 'mallory', ['sales-managers']);
    const limit = { currency: 'EUR', amountMinor: 1_000_00n };
    acmeCustomer = (
      await acme.customers.createCustomer({
        name: 'Ada',
        email: 'ada@acme.test',
        creditLimit: limit,
      })
    ).customer!.customerId;
    globexCustomer = (
      await globex.customers.createCustomer({
        name: 'Gus',
        email: 'gus@globex.test',
        creditLimit: limit,
      })
    ).customer!.customerId;
    await publish(acme, orderAssistant);
    await publish(globex, orderAssistant);
    const limits = { maxSteps: 3, maxToolCalls: 20, tokenBudget: 100_000, timeoutMs: 60_000 };
    await publish(acme, { ...orderAssistant, name: 'looper', limits });
    await publish(acme, {
      ...orderAssistant,
      name: 'few-calls',
      limits: { ...limits, maxSteps: 20, maxToolCalls: 2 },
    });
    await publish(acme, {
      ...orderAssistant,
      name: 'thrifty',
      limits: { ...limits, tokenBudget: 120 },
    });
    await publish(acme, {
      ...orderAssistant,
      name: 'hasty',
      limits: { ...limits, timeoutMs: 200 },
    });
  });
  afterAll(() => platform?.close());

  const getCustomer = (customerId: string): ScriptedReply => ({
    toolCalls: [{ name: 'get_customer', args: { customerId } }],
  });
  const proposeOrder = (customerId: string): ScriptedReply => ({
    toolCalls: [{ name: 'propose_order', args: { customerId, currency: 'EUR' } }],
    text: 'Ada has credit left; an order in EUR fits.',
  });

  it('tool contract: every tool of the order assistant runs with schema-valid arguments as the caller', async () => {
    const compiled = compileAgentDefinition(orderAssistant);
    if (!compiled.ok) throw new Error('the example does not compile');
    expect(compiled.config.tools.map((t) => t.name)).toEqual(['get_customer', 'propose_order']);
    const { run: r } = await run(acme, 'order-assistant', [
      getCustomer(acmeCustomer),
      proposeOrder(acmeCustomer),
      { answer: 'I proposed an order for Ada.' },
    ]);
    expect(r.status).toBe(RunStatus.COMPLETED);
    expect(r.userId).toBe('alice');
    expect(r.toolCalls.map((t) => `${t.tool}:${t.outcome}`)).toEqual([
      'get_customer:result',
      'propose_order:proposed',
    ]);
    expect(r.answer).toBe('I proposed an order for Ada.');
    // The audit record is kept, for the caller's tenant only.
    expect((await acme.agents.getRun({ runId: r.runId })).run?.status).toBe(RunStatus.COMPLETED);
    expect((await refusal(globex.agents.getRun({ runId: r.runId }))).code).toBe('not_found');
  });

  it('the tool host refuses a method that is not on the allowlist with permission_denied, before any call', async () => {
    const compiled = compileAgentDefinition(orderAssistant);
    if (!compiled.ok) throw new Error('the example does not compile');
    const host = allowlistedHost(
      compiled.config,
      createSdkToolHost({ serviceUrl: platform.url, tokens: createDevTokenProvider(identity) }),
    );
    const caller = { tenantId: 'acme', orgId: '', userId: 'alice', groups: [], traceId: '' };
    const refused = await refusal(
      host.call('ameide.sales.v1.OrderService/ConfirmOrder', { orderId: 'x' }, { caller }),
    );
    expect(refused.code).toBe('permission_denied');
    // A propose tool's method is not callable directly either.
    const direct = await refusal(
      host.call(
        'ameide.sales.v1.OrderService/CreateOrder',
        { customerId: acmeCustomer, currency: 'EUR' },
        { caller },
      ),
    );
    expect(direct.code).toBe('permission_denied');
    expect(await ordersOf(acme, acmeCustomer)).toEqual([]);
    // The allowed read carries the caller's tenant: acme's customer is found, globex's is not.
    await expect(
      host.call(
        'ameide.sales.v1.CustomerService/GetCustomer',
        { customerId: acmeCustomer },
        { caller },
      ),
    ).resolves.toMatchObject({
      customer: { customerId: acmeCustomer },
    });
    expect(
      (
        await refusal(
          host.call(
            'ameide.sales.v1.CustomerService/GetCustomer',
            { customerId: globexCustomer },
            { caller },
          ),
        )
      ).code,
    ).toBe('not_found');
  });

  it('an agent in tenant A cannot read or propose into tenant B', async () => {
    const { run: r } = await run(acme, 'order-assistant', [
      getCustomer(globexCustomer),
      proposeOrder(globexCustomer),
      { answer: 'done' },
    ]);
    expect(r.toolCalls.map((t) => `${t.tool}:${t.outcome}:${t.errorCode}`)).toEqual([
      'get_customer:error:not_found',
      'propose_order:proposed:',
    ]);
    const proposalId = r.proposalIds[0]!;
    // The proposal is acme's: globex neither sees nor decides it.
    expect((await globex.agents.listProposals({})).proposals).toEqual([]);
    expect((await refusal(globex.agents.decideProposal({ proposalId, approve: true }))).code).toBe(
      'not_found',
    );
    // Approved in acme, it applies in acme, where globex's customer does not exist.
    await acmeApprover.agents.decideProposal({ proposalId, approve: true });
    const { proposal } = await acme.agents.applyProposal({ proposalId });
    expect(proposal?.status).toBe(ProposalStatus.FAILED);
    expect(proposal?.error).toMatch(/^not_found/);
    expect(await ordersOf(globex, globexCustomer)).toEqual([]);
  });

  it('a propose tool never mutates the domain until the proposal is approved; applied once', async () => {
    const before = (await ordersOf(acme, acmeCustomer)).length;
    const { run: r, events } = await run(acme, 'order-assistant', [
      getCustomer(acmeCustomer),
      proposeOrder(acmeCustomer),
      { answer: 'I proposed an order.' },
    ]);
    expect(events.map((e) => e.case)).toEqual([
      'step',
      'toolCall',
      'step',
      'toolCall',
      'proposalId',
      'step',
      'text',
      'run',
    ]);
    const proposalId = r.proposalIds[0]!;
    const [pending] = (await acme.agents.listProposals({ proposalId })).proposals;
    expect(pending).toMatchObject({
      status: ProposalStatus.PENDING,
      rpc: 'ameide.sales.v1.OrderService/CreateOrder',
      arguments: { customerId: acmeCustomer, currency: 'EUR' },
      rationale: 'Ada has credit left; an order in EUR fits.',
      approverGroup: 'sales-managers',
      proposedBy: 'alice',
    });
    expect(await ordersOf(acme, acmeCustomer)).toHaveLength(before);
    // Not approved: nothing is applied.
    expect((await refusal(acme.agents.applyProposal({ proposalId }))).code).toBe(
      'failed_precondition',
    );
    // Only the approver group decides.
    expect((await refusal(acme.agents.decideProposal({ proposalId, approve: true }))).code).toBe(
      'permission_denied',
    );
    const decided = await acmeApprover.agents.decideProposal({
      proposalId,
      approve: true,
      comment: 'ok',
    });
    expect(decided.proposal).toMatchObject({ status: ProposalStatus.APPROVED, decidedBy: 'bob' });
    expect(await ordersOf(acme, acmeCustomer)).toHaveLength(before);
    const applied = await acme.agents.applyProposal({ proposalId });
    expect(applied.proposal?.status).toBe(ProposalStatus.APPLIED);
    // A retried apply (the review task retried) applies nothing twice.
    await acme.agents.applyProposal({ proposalId });
    expect(await ordersOf(acme, acmeCustomer)).toHaveLength(before + 1);
  });

  it('a rejected proposal changes nothing', async () => {
    const before = (await ordersOf(acme, acmeCustomer)).length;
    const { run: r } = await run(acme, 'order-assistant', [
      proposeOrder(acmeCustomer),
      { answer: 'proposed' },
    ]);
    const proposalId = r.proposalIds[0]!;
    const rejected = await acmeApprover.agents.decideProposal({
      proposalId,
      approve: false,
      comment: 'no',
    });
    expect(rejected.proposal?.status).toBe(ProposalStatus.REJECTED);
    expect((await refusal(acme.agents.applyProposal({ proposalId }))).code).toBe(
      'failed_precondition',
    );
    expect(
      (await refusal(acmeApprover.agents.decideProposal({ proposalId, approve: true }))).code,
    ).toBe('failed_precondition');
    expect(await ordersOf(acme, acmeCustomer)).toHaveLength(before);
  });

  it('max steps, max tool calls, token budget and timeout stop a run with a clear status', async () => {
    const forever = () => Array.from({ length: 30 }, () => getCustomer(acmeCustomer));
    const steps = await run(acme, 'looper', forever());
    expect(steps.run).toMatchObject({
      status: RunStatus.MAX_STEPS,
      steps: 3,
      message: 'the run reached its limit of 3 steps',
    });
    const calls = await run(acme, 'few-calls', forever());
    expect(calls.run).toMatchObject({
      status: RunStatus.MAX_TOOL_CALLS,
      message: 'the run reached its limit of 2 tool calls',
    });
    expect(calls.run.toolCalls).toHaveLength(2);
    const tokens = await run(acme, 'thrifty', forever());
    expect(tokens.run.status).toBe(RunStatus.TOKEN_BUDGET);
    expect(tokens.run.message).toMatch(/over its budget of 120$/);
    const slow = await run(acme, 'hasty', [
      (_messages, signal) =>
        new Promise((_resolve, reject) =>
          signal?.addEventListener('abort', () => reject(new Error('aborted'))),
        ),
    ]);
    expect(slow.run).toMatchObject({
      status: RunStatus.TIMEOUT,
      message: 'the run took longer than its 200 ms timeout',
    });
  });

  it('malformed tool calls get a bounded retry, then a failed run (never an error to the caller)', async () => {
    const recovered = await run(acme, 'order-assistant', [
      { malformed: '{"tool": "get_customer", "arguments": ' },
      { toolCalls: [{ name: 'get_customer', args: { customerId: 42 } }] },
      getCustomer(acmeCustomer),
      { answer: 'found' },
    ]);
    expect(recovered.run.status).toBe(RunStatus.COMPLETED);
    expect(recovered.events.filter((e) => e.case === 'malformed')).toHaveLength(2);
    const failed = await run(acme, 'order-assistant', [
      { malformed: 'not json' },
      { toolCalls: [{ name: 'delete_everything', args: {} }] },
      {
        toolCalls: [{ name: 'propose_order', args: { customerId: acmeCustomer, currency: 'XXX' } }],
      },
      { answer: 'never reached' },
    ]);
    expect(failed.run.status).toBe(RunStatus.FAILED);
    expect(failed.run.message).toMatch(
      /^the model emitted malformed tool calls 3 times \(limit 2 retries\): arguments of propose_order do not match its schema/,
    );
    expect(failed.run.proposalIds).toEqual([]);
  });

  it('a run is traced: a span for the run, each model call and each tool call', async () => {
    const compiled = compileAgentDefinition(orderAssistant);
    if (!compiled.ok) throw new Error('the example does not compile');
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const runtime = createAgentRuntime({
      host: createSdkToolHost({
        serviceUrl: platform.url,
        tokens: createDevTokenProvider(identity),
      }),
      proposals: { create: () => Promise.reject(new Error('no proposals in this test')) },
      models: () => new ScriptedChatModel([getCustomer(acmeCustomer), { answer: 'found' }]),
      tracer: provider.getTracer('test'),
    });
    const caller = {
      tenantId: 'acme',
      orgId: '',
      userId: 'alice',
      groups: [],
      traceId: 'a'.repeat(32),
    };
    const r = await runtime.run({
      config: compiled.config,
      version: 1,
      configHash: compiled.hash,
      caller,
      input: 'Read Ada',
    });
    expect(r.status).toBe('completed');
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name).sort()).toEqual([
      'agent.model',
      'agent.model',
      'agent.run',
      'agent.tool',
    ]);
    const tool = spans.find((s) => s.name === 'agent.tool')!;
    expect(tool.attributes).toMatchObject({ 'ameide.tool': 'get_customer', 'ameide.risk': 'read' });
    const run = spans.find((s) => s.name === 'agent.run')!;
    expect(run.attributes).toMatchObject({
      'ameide.tenant_id': 'acme',
      'ameide.run.status': 'completed',
    });
  });

  it('bad input is invalid_argument naming the field', async () => {
    const noAgent = await refusal(run(acme, '', []));
    expect(noAgent.code).toBe('invalid_argument');
    expect(noAgent.fieldViolations[0]?.field).toBe('agent');
    expect((await refusal(acme.agents.getRun({ runId: 'nope' }))).fieldViolations[0]?.field).toBe(
      'run_id',
    );
    expect((await refusal(run(acme, 'no-such-agent', []))).code).toBe('not_found');
    // A task over several lines is fine; a control character is not.
    script = [{ answer: 'ok' }];
    let last: RunAgentResponse['event'] | undefined;
    for await (const r of acme.agents.runAgent({
      agent: 'order-assistant',
      input: 'Line one.\nLine two.',
    }))
      last = r.event;
    expect(last?.case).toBe('run');
    const control = await refusal(run(acme, 'order-assistant\u0000', []));
    expect(control.code).toBe('invalid_argument');
  });
});
