import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idsIn, ScriptedChatModel, type ScriptedReply } from '@ameide/agent-runtime';
import { fromConnectError } from '@ameide/errors';
import { ArtifactKind, RunStatus, type RunSandboxResponse, type Run } from '@ameide/proto';
import { createAmeideClient, type AmeideClient } from '@ameide/sdk';
import { createEphemeralDevIdentity, type DevIdentity } from '@ameide/server';
import { createSilentLogger } from '@ameide/server/testing';
import { createPlatform, type Platform } from '@ameide/platform';

/** An agent that confirms orders itself (an `act` tool), so it is published only after a sandbox run. */
const orderConfirmer = {
  schemaVersion: 1,
  name: 'order-confirmer',
  description: 'Reads a draft order and confirms it.',
  model: { provider: 'scripted', name: 'scripted' },
  systemPrompt: 'Read the order with get_order, then confirm it with confirm_order.',
  tools: [
    { name: 'get_order', rpc: 'ameide.sales.v1.OrderService/GetOrder', risk: 'read' },
    { name: 'confirm_order', rpc: 'ameide.sales.v1.OrderService/ConfirmOrder', risk: 'act' },
  ],
  graph: { kind: 'react' },
  scope: { services: ['ameide.sales.v1.OrderService'] },
  policy: { allowAct: true, approverGroup: 'sales-managers' },
  limits: { maxSteps: 6, maxToolCalls: 4, tokenBudget: 6000, timeoutMs: 60000 },
};

/** The order id the task names (the sandbox filled it in from a fixture's answer). */
const orderIdOf = (messages: readonly { content: unknown }[]) =>
  idsIn(messages.map((m) => JSON.stringify(m.content)).join('\n'))[0] ?? 'no-order-id';

const confirming: ScriptedReply[] = [
  (m) => ({ toolCalls: [{ name: 'get_order', args: { orderId: orderIdOf(m) } }] }),
  (m) => ({
    toolCalls: [{ name: 'confirm_order', args: { orderId: orderIdOf(m) } }],
  }),
  { answer: 'Confirmed the order.' },
];

/** A customer, an order for them and one line: the sandbox tenant's data. */
const fixtures = [
  {
    rpc: 'ameide.sales.v1.CustomerService/CreateCustomer',
    request: {
      name: 'Sandbox Buyer',
      email: 'buyer@sandbox.test',
      creditLimit: { currency: 'EUR', amountMinor: '100000' },
    },
  },
  {
    rpc: 'ameide.sales.v1.OrderService/CreateOrder',
    request: { customerId: '{{fixture.0.customer.customerId}}', currency: 'EUR' },
  },
  {
    rpc: 'ameide.sales.v1.OrderService/AddOrderLine',
    request: {
      orderId: '{{fixture.1.order.orderId}}',
      sku: 'SKU-1',
      quantity: 1,
      unitPrice: { currency: 'EUR', amountMinor: '1250' },
    },
  },
];

describe('agent sandbox runs (AgentService.RunSandbox)', () => {
  let platform: Platform;
  let identity: DevIdentity;
  let alice: AmeideClient;
  let script: ScriptedReply[] = [];
  let artifactId = '';

  beforeAll(async () => {
    identity = await createEphemeralDevIdentity();
    platform = await createPlatform({
      database: { pglite: true },
      identity,
      services: ['sales'],
      host: { port: 0, drainTimeoutMs: 2_000 },
      logger: createSilentLogger(),
      retention: false,
      agents: { modelOverride: () => new ScriptedChatModel(script) },
    });
    alice = createAmeideClient({
      baseUrl: platform.url,
      token: await identity.signToken({ tenantId: 'acme', userId: 'alice', groups: ['sales'] }),
    });
    artifactId = (
      await alice.transformation.createArtifact({
        kind: ArtifactKind.AGENT_DEFINITION,
        name: orderConfirmer.name,
        contentType: 'application/json',
        content: new TextEncoder().encode(JSON.stringify(orderConfirmer)),
      })
    ).artifact!.id;
  }, 240_000);
  afterAll(() => platform?.close());

  const sandboxRun = async (input: string, calls = fixtures) => {
    const events: RunSandboxResponse['event'][] = [];
    for await (const r of alice.agents.runSandbox({
      agent: orderConfirmer.name,
      input,
      fixtures: calls.map((f) => ({ rpc: f.rpc, request: f.request })),
    }))
      events.push(r.event);
    const last = events.at(-1);
    const run: Run | undefined =
      last?.case === 'agent' && last.value.event.case === 'run'
        ? last.value.event.value
        : undefined;
    return { events, run: run! };
  };
  const publish = () =>
    alice.transformation
      .publishArtifact({ artifactId })
      .then(() => 'published')
      .catch((e: unknown) => fromConnectError(e));
  /** Every row of a tenant, by table (the sandbox tenant must have none left). */
  const rowsOf = async (tenantId: string) => {
    const tables = await platform.db.query(
      `SELECT table_schema AS s, table_name AS t FROM information_schema.columns
        WHERE column_name = 'tenant_id' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
    );
    let n = 0;
    for (const row of tables.rows) {
      const r = await platform.db.query(
        `SELECT count(*)::int AS n FROM "${String(row['s'])}"."${String(row['t'])}" WHERE tenant_id = $1`,
        [tenantId],
      );
      n += Number(r.rows[0]!['n']);
    }
    return n;
  };

  it('refuses to publish an agent allowing act tools before a sandbox run, saying how to run one', async () => {
    const refused = await publish();
    expect(refused).toMatchObject({ code: 'failed_precondition' });
    expect((refused as Error).message).toContain('allows act tools (confirm_order)');
    expect((refused as Error).message).toContain('ameide agent run --sandbox order-confirmer');
  });

  it('runs the draft in a throwaway tenant seeded by fixtures, reports every call, erases the tenant, and then allows publishing', async () => {
    const ordersBefore = (await alice.orders.listOrders({ pageSize: 100 })).orders.length;
    script = confirming;
    const { events, run } = await sandboxRun('Confirm order {{fixture.1.order.orderId}}.');
    const answered = events.filter((e) => e.case === 'fixture').map((e) => e.value.rpc);
    expect(answered).toEqual(fixtures.map((f) => f.rpc));
    expect(run.status).toBe(RunStatus.COMPLETED);
    expect(run.sandboxTenant).toMatch(/^sandbox-[0-9a-f]{12}$/);
    expect(run.version).toBe(0);
    expect(run.toolCalls.map((c) => `${c.risk} ${c.tool} ${c.outcome}`)).toEqual([
      'read get_order result',
      'act confirm_order result',
    ]);
    // The act call changed the sandbox tenant's order, never the caller's tenant.
    expect((await alice.orders.listOrders({ pageSize: 100 })).orders).toHaveLength(ordersBefore);
    const sandboxToken = await identity.signToken({ tenantId: run.sandboxTenant, userId: 'alice' });
    const inSandbox = createAmeideClient({ baseUrl: platform.url, token: sandboxToken });
    expect((await inSandbox.orders.listOrders({ pageSize: 10 })).orders).toEqual([]);
    expect(await rowsOf(run.sandboxTenant)).toBe(0);
    // The audit record stays with the caller.
    const { run: kept } = await alice.agents.getRun({ runId: run.runId });
    expect(kept?.sandboxTenant).toBe(run.sandboxTenant);
    // The artifact shows the run recorded on it.
    const { artifact } = await alice.transformation.getArtifact({ artifactId });
    expect(artifact?.sandboxRun).toMatchObject({
      runId: run.runId,
      status: 'completed',
      contentHash: artifact!.contentHash,
      sandboxTenant: run.sandboxTenant,
      toolCalls: 2,
      recordedBy: 'alice',
      passed: true,
    });

    expect(await publish()).toBe('published');
  });

  it('a failed sandbox run, or a draft revised after a passing one, does not allow publishing', async () => {
    const { artifact } = await alice.transformation.getArtifact({ artifactId });
    const revised = { ...orderConfirmer, description: 'Confirms draft orders (revised).' };
    await alice.transformation.reviseArtifact({
      artifactId,
      expectedVersion: artifact!.streamVersion,
      contentType: 'application/json',
      content: new TextEncoder().encode(JSON.stringify(revised)),
    });
    let refused = await publish();
    expect((refused as Error).message).toContain('the draft changed since its last sandbox run');
    const changed = (await alice.transformation.getArtifact({ artifactId })).artifact!;
    expect(changed.sandboxRun?.passed).toBe(false);
    expect(changed.sandboxRun?.contentHash).not.toBe(changed.contentHash);

    // A run that fails (the model never produces a tool call that parses) is recorded too.
    script = [{ malformed: 'not json' }, { malformed: 'still not' }, { malformed: 'nope' }];
    const failed = (await sandboxRun('Confirm the order.', [])).run;
    expect(failed.status).toBe(RunStatus.FAILED);
    refused = await publish();
    expect((refused as Error).message).toContain(
      `its last sandbox run ended failed (run ${failed.runId})`,
    );

    // A refused call does not fail the run: what the agent did is in the report, for a person to judge.
    script = [
      (m) => ({
        toolCalls: [{ name: 'confirm_order', args: { orderId: orderIdOf(m) } }],
      }),
      { answer: 'Could not confirm.' },
    ];
    const { run } = await sandboxRun(`Confirm order ${randomUUID()}.`, []);
    expect(run.toolCalls[0]).toMatchObject({ outcome: 'error', errorCode: 'not_found' });
    expect(run.status).toBe(RunStatus.COMPLETED);
    expect(await publish()).toBe('published');
  });

  it('refuses bad sandbox input with the field it names, leaving nothing behind', async () => {
    const codeOf = async (p: AsyncIterable<unknown>) => {
      try {
        for await (const _ of p) void _;
        return 'ok';
      } catch (e) {
        return `${fromConnectError(e).code}: ${fromConnectError(e).message}`;
      }
    };
    expect(await codeOf(alice.agents.runSandbox({ agent: '', input: 'x' }))).toMatch(
      /^invalid_argument: agent is required/,
    );
    expect(await codeOf(alice.agents.runSandbox({ agent: 'nobody', input: 'x' }))).toMatch(
      /^not_found/,
    );
    expect(
      await codeOf(
        alice.agents.runSandbox({
          agent: orderConfirmer.name,
          input: 'x',
          fixtures: [{ rpc: 'ameide.sales.v1.Nope/Nothing' }],
        }),
      ),
    ).toMatch(/^invalid_argument: fixtures\[0\]\.rpc: no method ameide\.sales\.v1\.Nope\/Nothing/);
    expect(
      await codeOf(
        alice.agents.runSandbox({
          agent: orderConfirmer.name,
          input: 'order {{fixture.3.order.orderId}}',
          fixtures: [{ rpc: fixtures[0]!.rpc, request: fixtures[0]!.request }],
        }),
      ),
    ).toMatch(/^invalid_argument: input: \{\{fixture\.3\.order\.orderId\}\} names fixture 3/);
    expect(
      await codeOf(
        alice.agents.runSandbox({
          agent: orderConfirmer.name,
          input: 'x',
          fixtures: [
            { rpc: 'ameide.sales.v1.OrderService/GetOrder', request: { orderId: randomUUID() } },
          ],
        }),
      ),
    ).toMatch(
      /^invalid_argument: fixture 0 \(ameide\.sales\.v1\.OrderService\/GetOrder\) failed: not_found/,
    );
    const sandboxRows = await platform.db.query(
      `SELECT count(*)::int AS n FROM sales.customers WHERE tenant_id LIKE 'sandbox-%'`,
    );
    expect(sandboxRows.rows[0]!['n']).toBe(0);
  });
});
