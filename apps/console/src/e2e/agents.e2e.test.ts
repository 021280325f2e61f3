// The console's Agents area against a real platform (sales, process on Temporal, agents with a
// scripted model) in a real Chromium: the order-assistant agent, run through the SDK, reads a
// customer and proposes an order; a user outside the approver group sees the run, its tool calls
// and the pending proposal, and is refused when approving; an approver approves it in the run
// view, the review process applies it, and the order exists once.
import { mkdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ScriptedChatModel, type ScriptedReply } from '@ameide/agent-runtime';
import { ArtifactKind, ProposalStatus, RunStatus, type Run } from '@ameide/proto';
import { createAmeideClient, type AmeideClient } from '@ameide/sdk';
import { startConsolePlatform } from './console-platform.js';

const ARTIFACTS = fileURLToPath(new URL('../../../../test-artifacts/console', import.meta.url));
const ORDER_ASSISTANT = new URL(
  '../../../../examples/agents/order-assistant.json',
  import.meta.url,
);
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const TENANT = 'acme';
const POLL = { timeout: 30_000 };

let script: ScriptedReply[] = [];
let platform: Awaited<ReturnType<typeof startConsolePlatform>>;
let browser: Browser;
let alice: AmeideClient;
let bob: AmeideClient;
let customerId: string;
let run: Run;
let proposalId: string;

async function devToken(userId: string, groups: string[]): Promise<string> {
  const res = await fetch(`${platform.host.url}/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenantId: TENANT, userId, groups }),
  });
  if (!res.ok) throw new Error(`dev token for ${userId}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/** A page of its own (own session storage), signed in as `userId` with `groups`. */
async function signedIn(userId: string, groups: string): Promise<{ page: Page; errors: string[] }> {
  const page = await (
    await browser.newContext({ viewport: { width: 1280, height: 900 } })
  ).newPage();
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(platform.host.url);
  await page.getByLabel('Tenant').fill(TENANT);
  await page.getByLabel('User').fill(userId);
  await page.getByLabel('Groups').fill(groups);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('tenant').waitFor();
  return { page, errors };
}

const ordersOfCustomer = async () =>
  (await alice.orders.listOrders({ pageSize: 200 })).orders.filter(
    (o) => o.customerId === customerId,
  );
const proposalNow = async () => (await alice.agents.listProposals({ proposalId })).proposals[0]!;

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  platform = await startConsolePlatform({
    temporalAddress: inject('temporalAddress'),
    services: ['process', 'sales'],
    agents: { modelOverride: () => new ScriptedChatModel(script) },
  });
  alice = createAmeideClient({
    baseUrl: platform.host.url,
    token: await devToken('alice', ['sales']),
  });
  bob = createAmeideClient({
    baseUrl: platform.host.url,
    token: await devToken('bob', ['sales-managers']),
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
    content: new TextEncoder().encode(await readFile(ORDER_ASSISTANT, 'utf8')),
  });
  await alice.transformation.publishArtifact({ artifactId: artifact!.id });

  // The agent reads the customer, then proposes an order for them.
  script = [
    { toolCalls: [{ name: 'get_customer', args: { customerId } }] },
    { toolCalls: [{ name: 'propose_order', args: { customerId, currency: 'EUR' } }] },
    { answer: 'I proposed an order for Ada.' },
  ];
  let ended: Run | undefined;
  for await (const r of alice.agents.runAgent({ agent: 'order-assistant', input: 'Order for Ada' }))
    if (r.event.case === 'run') ended = r.event.value;
  expect(ended?.status).toBe(RunStatus.COMPLETED);
  expect(ended?.proposalIds).toHaveLength(1);
  run = ended!;
  proposalId = run.proposalIds[0]!;
  // The review process reached its approval task (a decision before it would have to wait).
  const { reviewInstanceId } = await proposalNow();
  expect(reviewInstanceId).not.toBe('');
  for (let i = 0; ; i++) {
    const { tasks } = await bob.process.listUserTasks({ instanceId: reviewInstanceId });
    if (tasks.length > 0) break;
    if (i >= 300) throw new Error(`the review ${reviewInstanceId} has no approval task after 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await platform?.close();
});

describe('agents in the console', () => {
  it('shows the run and its tool calls; a user outside the approver group is refused and the proposal stays pending', async () => {
    const { page, errors } = await signedIn('carol', 'sales');
    await page.getByRole('link', { name: 'Agents', exact: true }).click();
    await page.getByRole('heading', { name: 'Agent runs' }).waitFor();

    // The list, filtered by agent.
    const row = page.locator(`tr[data-run="${run.runId}"]`);
    await expect.poll(() => row.count(), POLL).toBe(1);
    const cells = await row.locator('td').allTextContents();
    expect([...cells.slice(0, 5), ...cells.slice(6)]).toEqual([
      run.runId,
      'order-assistant',
      'v1',
      'completed',
      'alice',
      String(run.steps),
      '2',
      '1',
    ]);
    const filter = page.getByRole('search', { name: 'Filter runs' }).getByLabel('Agent');
    await filter.fill('no-such-agent');
    await expect.poll(() => page.getByText('No runs.').count(), POLL).toBe(1);
    expect(await row.count()).toBe(0);
    await filter.fill('order-assistant');
    await expect.poll(() => row.count(), POLL).toBe(1);

    // The run view: status, answer, every tool call, the pending proposal.
    await row.getByRole('link', { name: run.runId }).click();
    await expect.poll(() => page.getByTestId('run-status').textContent(), POLL).toBe('completed');
    expect(await page.getByRole('region', { name: 'Answer' }).textContent()).toContain(
      'I proposed an order for Ada.',
    );
    const calls = page.getByRole('table', { name: 'Tool calls' });
    // Arguments are shown as JSON (the stored key order is the database's).
    const callCells = async (tool: string) => {
      const [step, name, rpc, risk, args, outcome] = await calls
        .locator(`tr[data-tool-call="${tool}"] td`)
        .allTextContents();
      return { step, name, rpc, risk, args: JSON.parse(args ?? 'null') as unknown, outcome };
    };
    expect(await callCells('get_customer')).toEqual({
      step: '1',
      name: 'get_customer',
      rpc: 'ameide.sales.v1.CustomerService/GetCustomer',
      risk: 'read',
      args: { customerId },
      outcome: 'result',
    });
    expect(await callCells('propose_order')).toEqual({
      step: '2',
      name: 'propose_order',
      rpc: 'ameide.sales.v1.OrderService/CreateOrder',
      risk: 'propose',
      args: { customerId, currency: 'EUR' },
      outcome: `proposed (${proposalId})`,
    });
    const proposal = page.locator(`li[data-proposal="${proposalId}"]`);
    await expect
      .poll(() => proposal.getByTestId('proposal-status').textContent(), POLL)
      .toBe('pending');
    expect(await proposal.textContent()).toContain('approver group sales-managers');
    await page.screenshot({ path: `${ARTIFACTS}/agent-run-pending.png` });

    // Carol is not in sales-managers: the service refuses, the console says why.
    await proposal.getByLabel('Comment').fill('looks fine to me');
    await proposal.getByRole('button', { name: 'Approve' }).click();
    await expect
      .poll(() => proposal.getByRole('alert').textContent(), POLL)
      .toContain(`is decided by group sales-managers; carol is not in it`);
    await page.screenshot({ path: `${ARTIFACTS}/agent-proposal-refused.png` });
    await page.reload();
    await expect
      .poll(() => proposal.getByTestId('proposal-status').textContent(), POLL)
      .toBe('pending');
    expect(await proposalNow()).toMatchObject({
      status: ProposalStatus.PENDING,
      decidedBy: '',
      comment: '',
    });
    expect(await ordersOfCustomer()).toHaveLength(0);
    // The refused call is the only error the page logged (Chromium reports the 403 response).
    expect(errors.filter((e) => !/status of 403/.test(e))).toEqual([]);
  });

  it('an approver finds the proposal among those pending, approves it in the run view, and the order is created once', async () => {
    const { page, errors } = await signedIn('bob', 'sales-managers');
    await page.getByRole('link', { name: 'Proposals', exact: true }).click();
    await page.getByRole('heading', { name: 'Proposals' }).waitFor();
    expect(
      await page
        .getByRole('search', { name: 'Filter proposals' })
        .getByLabel('Status')
        .inputValue(),
    ).toBe(String(ProposalStatus.PENDING));
    const listed = page.locator(`li[data-proposal="${proposalId}"]`);
    await expect
      .poll(() => listed.getByTestId('proposal-status').textContent(), POLL)
      .toBe('pending');
    await listed.getByRole('link', { name: 'order-assistant v1' }).click();

    const proposal = page.locator(`li[data-proposal="${proposalId}"]`);
    await expect
      .poll(() => proposal.getByTestId('proposal-status').textContent(), POLL)
      .toBe('pending');
    await proposal.getByLabel('Comment').fill('ok for Ada');
    await proposal.getByRole('button', { name: 'Approve' }).click();
    // Approved, then applied by the review process (the view follows it).
    await expect
      .poll(() => proposal.getByTestId('proposal-status').textContent(), POLL)
      .toBe('applied');
    expect(await proposal.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    const text = await proposal.textContent();
    expect(text).toContain('decided by bob');
    expect(text).toContain('ok for Ada');

    const orders = await ordersOfCustomer();
    expect(orders).toHaveLength(1);
    expect(await proposal.getByLabel('Result').textContent()).toContain(orders[0]!.orderId);
    expect(await proposalNow()).toMatchObject({
      status: ProposalStatus.APPLIED,
      decidedBy: 'bob',
      comment: 'ok for Ada',
    });
    await page.screenshot({ path: `${ARTIFACTS}/agent-proposal-applied.png` });

    // No longer among the pending ones.
    await page.getByRole('link', { name: 'Proposals', exact: true }).click();
    await expect.poll(() => page.getByText('No proposals.').count(), POLL).toBe(1);
    expect(await ordersOfCustomer()).toHaveLength(1);
    expect(errors).toEqual([]);
  });
});
