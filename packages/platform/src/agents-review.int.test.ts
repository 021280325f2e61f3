import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ScriptedChatModel, type ScriptedReply } from '@ameide/agent-runtime';
import {
  ArtifactKind,
  InstanceStatus,
  ProposalStatus,
  RunStatus,
  type Proposal,
} from '@ameide/proto';
import { createAmeideClient, type AmeideClient } from '@ameide/sdk';
import { createEphemeralDevIdentity, type DevIdentity } from '@ameide/server';
import { createSilentLogger } from '@ameide/server/testing';
import { createPlatform, type Platform } from '@ameide/platform';
import { createDevTokenProvider } from '@ameide/process-runtime';
import { createAgentsPrimitive } from './primitives/agents.js';

const orderAssistant = readFileSync(
  new URL('../../../examples/agents/order-assistant.json', import.meta.url),
  'utf8',
);

let script: ScriptedReply[] = [];

/** Polls until `read` answers something `done` accepts (the review runs on Temporal). */
async function until<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  for (let i = 0; ; i++) {
    const v = await read();
    if (done(v) || i > 300) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Proposals through the shipped `agent-proposal-review` process on Temporal: the agent's
 * propose tool starts a review instance; the approver's decision completes its user task; the
 * service task applies the proposal through AgentService/ApplyProposal (idempotency key =
 * proposal id), or the rejected path ends without touching the domain.
 */
describe('agent proposals reviewed by the agent-proposal-review process', () => {
  let platform: Platform;
  let identity: DevIdentity;
  let alice: AmeideClient;
  let bob: AmeideClient;
  let customerId: string;

  beforeAll(async () => {
    identity = await createEphemeralDevIdentity();
    platform = await createPlatform({
      database: { pglite: true },
      identity,
      temporal: { address: inject('temporalAddress'), taskQueue: `agents-${randomUUID()}` },
      host: { port: 0, drainTimeoutMs: 2_000 },
      logger: createSilentLogger(),
      retention: false,
      worker: { shutdownGraceTimeMs: 2_000 },
      agents: { modelOverride: () => new ScriptedChatModel(script) },
    });
    alice = createAmeideClient({
      baseUrl: platform.url,
      token: await identity.signToken({ tenantId: 'acme', userId: 'alice' }),
    });
    bob = createAmeideClient({
      baseUrl: platform.url,
      token: await identity.signToken({
        tenantId: 'acme',
        userId: 'bob',
        groups: ['sales-managers'],
      }),
    });
    customerId = (
      await alice.customers.createCustomer({
        name: 'Ada',
        email: 'ada@acme.test',
        creditLimit: { currency: 'EUR', amountMinor: 1_000_00n },
      })
    ).customer!.customerId;
    const { artifact } = await alice.transformation.createArtifact({
      kind: ArtifactKind.AGENT_DEFINITION,
      name: 'order-assistant',
      contentType: 'application/json',
      content: new TextEncoder().encode(orderAssistant),
    });
    await alice.transformation.publishArtifact({ artifactId: artifact!.id });
  }, 240_000);
  afterAll(() => platform?.close());

  const propose = async (): Promise<Proposal> => {
    script = [
      { toolCalls: [{ name: 'get_customer', args: { customerId } }] },
      { toolCalls: [{ name: 'propose_order', args: { customerId, currency: 'EUR' } }] },
      { answer: 'I proposed an order for Ada.' },
    ];
    let runStatus: RunStatus | undefined;
    let proposalId = '';
    for await (const r of alice.agents.runAgent({
      agent: 'order-assistant',
      input: 'Order for Ada',
    })) {
      if (r.event.case === 'run') runStatus = r.event.value.status;
      if (r.event.case === 'proposalId') proposalId = r.event.value;
    }
    expect(runStatus).toBe(RunStatus.COMPLETED);
    const [p] = (await alice.agents.listProposals({ proposalId })).proposals;
    return p!;
  };
  const orders = async () =>
    (await alice.orders.listOrders({ pageSize: 100 })).orders.filter(
      (o) => o.customerId === customerId,
    );
  const reviewTask = (instanceId: string) =>
    until(
      () => bob.process.listUserTasks({ instanceId }),
      (r) => r.tasks.length > 0,
    );

  it('approved: the review process applies the proposal, and the order exists once', async () => {
    const before = (await orders()).length;
    const proposal = await propose();
    expect(proposal.status).toBe(ProposalStatus.PENDING);
    expect(proposal.reviewInstanceId).not.toBe('');
    const { tasks } = await reviewTask(proposal.reviewInstanceId);
    expect(tasks[0]).toMatchObject({ nodeId: 'Task_Review', candidateGroups: ['sales-managers'] });
    expect(await orders()).toHaveLength(before);

    await bob.agents.decideProposal({
      proposalId: proposal.proposalId,
      approve: true,
      comment: 'fine',
    });
    const applied = await until(
      async () =>
        (await alice.agents.listProposals({ proposalId: proposal.proposalId })).proposals[0]!,
      (p) => p.status === ProposalStatus.APPLIED || p.status === ProposalStatus.FAILED,
    );
    expect(applied).toMatchObject({ status: ProposalStatus.APPLIED, decidedBy: 'bob' });
    const instance = await until(
      async () =>
        (await alice.process.getProcessInstance({ instanceId: proposal.reviewInstanceId }))
          .instance!,
      (i) => i.status !== InstanceStatus.RUNNING,
    );
    expect(instance.status).toBe(InstanceStatus.COMPLETED);
    expect(await orders()).toHaveLength(before + 1);
    // Deciding again (a retried click) changes nothing.
    await bob.agents.decideProposal({ proposalId: proposal.proposalId, approve: true });
    expect(await orders()).toHaveLength(before + 1);
  });

  it('an agentTask node runs the agent in process as the instance starter; its proposal waits for review', async () => {
    const definition = {
      schemaVersion: 1,
      id: 'agent-task-demo',
      variables: [{ name: 'customerId', type: 'string', required: true }],
      nodes: [
        { id: 'Start', type: 'startEvent', position: { x: 0, y: 0 }, data: {} },
        {
          id: 'Task_Agent',
          type: 'agentTask',
          position: { x: 100, y: 0 },
          data: {
            name: 'Ask the order assistant',
            binding: {
              agent: 'order-assistant',
              version: 'latest',
              riskTier: 'low',
              input: '{ customerId: customerId }',
              output: '{ agentStatus: result.status, proposals: result.proposals }',
            },
          },
        },
        { id: 'End', type: 'endEvent', position: { x: 200, y: 0 }, data: {} },
      ],
      edges: [
        { id: 'f1', source: 'Start', target: 'Task_Agent' },
        { id: 'f2', source: 'Task_Agent', target: 'End' },
      ],
    };
    const { artifact } = await alice.transformation.createArtifact({
      kind: ArtifactKind.PROCESS_DEFINITION,
      name: 'agent-task-demo',
      contentType: 'application/json',
      content: new TextEncoder().encode(JSON.stringify(definition)),
    });
    await alice.transformation.publishArtifact({ artifactId: artifact!.id });
    const before = (await orders()).length;
    script = [
      { toolCalls: [{ name: 'propose_order', args: { customerId, currency: 'EUR' } }] },
      { answer: 'proposed' },
    ];
    const { instanceId } = await alice.process.startProcess({
      definition: { case: 'definitionName', value: 'agent-task-demo' },
      variables: { customerId },
    });
    const done = await until(
      async () => (await alice.process.getProcessInstance({ instanceId })).instance!,
      (i) => i.status !== InstanceStatus.RUNNING,
    );
    expect(done.status).toBe(InstanceStatus.COMPLETED);
    expect(done.variables).toMatchObject({ agentStatus: 'completed' });
    const proposalId = (done.variables?.['proposals'] as string[])[0]!;
    const [p] = (await alice.agents.listProposals({ proposalId })).proposals;
    expect(p).toMatchObject({ status: ProposalStatus.PENDING, proposedBy: 'alice' });
    expect(await orders()).toHaveLength(before);
  });

  it('a repeated agentTask attempt runs the agent once: one run, one proposal, one review', async () => {
    // A second worker's view of the same database: attempts of one activity can run anywhere.
    const other = createAgentsPrimitive({
      db: platform.db,
      store: platform.store,
      tokens: createDevTokenProvider(identity),
      serviceUrl: () => platform.url,
      processes: true,
      modelOverride: () => new ScriptedChatModel(script),
    });
    script = [
      { toolCalls: [{ name: 'propose_order', args: { customerId, currency: 'EUR' } }] },
      { answer: 'proposed' },
    ];
    const request = {
      agent: 'order-assistant',
      version: 'latest' as const,
      riskTier: 'low' as const,
      input: { customerId },
      actor: { tenantId: 'acme', orgId: 'acme', userId: 'alice' },
      instanceId: randomUUID(),
      nodeId: 'Task_Agent',
    };
    const invocation = { invocationKey: `acme/${request.instanceId}/${randomUUID()}/1` };
    type Answer = { runId: string; proposals: string[]; status: string };
    // Two attempts at once (the first timed out but still runs), then one after both ended.
    const [first, second] = (await Promise.all([
      other.invoker.invoke(request, invocation),
      other.invoker.invoke(request, invocation),
    ])) as Answer[];
    const third = (await other.invoker.invoke(request, invocation)) as Answer;
    expect(first!.status).toBe('completed');
    expect(first!.proposals).toHaveLength(1);
    for (const again of [second!, third]) {
      expect(again.runId).toBe(first!.runId);
      expect(again.proposals).toEqual(first!.proposals);
    }
    const { proposals } = await alice.agents.listProposals({ runId: first!.runId });
    expect(proposals.map((p) => p.proposalId)).toEqual(first!.proposals);
    const reviews = await until(
      () => alice.process.listProcessInstances({ businessKey: `proposal:${first!.proposals[0]}` }),
      (r) => r.instances.length > 0,
    );
    expect(reviews.instances).toHaveLength(1);
    expect(proposals[0]!.reviewInstanceId).toBe(reviews.instances[0]!.instanceId);
    // A new invocation is a new run.
    const fresh = (await other.invoker.invoke(request, {
      invocationKey: `${invocation.invocationKey}-next`,
    })) as Answer;
    expect(fresh.runId).not.toBe(first!.runId);
  });

  it('rejected: the review ends and nothing changes', async () => {
    const before = (await orders()).length;
    const proposal = await propose();
    await reviewTask(proposal.reviewInstanceId);
    await bob.agents.decideProposal({
      proposalId: proposal.proposalId,
      approve: false,
      comment: 'not now',
    });
    const instance = await until(
      async () =>
        (await alice.process.getProcessInstance({ instanceId: proposal.reviewInstanceId }))
          .instance!,
      (i) => i.status !== InstanceStatus.RUNNING,
    );
    expect(instance.status).toBe(InstanceStatus.COMPLETED);
    const [p] = (await alice.agents.listProposals({ proposalId: proposal.proposalId })).proposals;
    expect(p?.status).toBe(ProposalStatus.REJECTED);
    expect(await orders()).toHaveLength(before);
  });
});
