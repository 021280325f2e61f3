import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { localModelUnavailable } from '@ameide/agent-runtime';
import { createAmeideClient } from '@ameide/sdk';
import { runCli, startDev, type DevPlatform } from './cli-harness.js';

// The order assistant on `ameide dev` with the embedded SmolLM2 model: it reads a customer and
// proposes an order; an approver approves it with `ameide agent decide`; the review process
// applies it, and the order exists once. Skipped (saying why) where the model is not installed
// (`node scripts/ensure-smollm2.mjs` and the optional node-llama-cpp).
const missing = await localModelUnavailable();
let home: string;
let dev: DevPlatform;
let customerId: string;
const tokens: Record<string, string> = {};

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not reached; last ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const cli = (as: 'alice' | 'bob', ...args: string[]) =>
  runCli(['--home', home, ...args, '--url', dev.url, '--token', tokens[as]!]);

describe.skipIf(missing !== undefined)(
  `ameide agent on ameide dev with SmolLM2${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    beforeAll(async () => {
      home = await mkdtemp(join(tmpdir(), 'ameide-agent-'));
      dev = await startDev(home, ['--temporal-address', inject('temporalAddress')]);
      customerId = /demo customer: (\S+)/.exec(dev.output())?.[1] ?? '';
      expect(customerId).not.toBe('');
      expect(dev.output()).toMatch(/agent model — embedded SmolLM2/);
      for (const [user, groups] of [
        ['alice', 'sales'],
        ['bob', 'sales-managers'],
      ] as const) {
        const t = await runCli([
          '--home',
          home,
          'token',
          '--tenant',
          'demo',
          '--user',
          user,
          '--groups',
          groups,
        ]);
        expect(t.code, t.stderr).toBe(0);
        tokens[user] = t.stdout.trim().split('\n').at(-1)!;
      }
    }, 240_000);
    afterAll(async () => {
      await dev?.stop();
      await rm(home, { recursive: true, force: true });
    });

    it(
      'the order assistant reads a customer and proposes an order; approved, the order exists once',
      { timeout: 400_000 },
      async () => {
        const listed = await cli('alice', 'agent', 'list');
        expect(listed.stdout).toMatch(/order-assistant\s+published\s+v1/);
        const run = await cli(
          'alice',
          'agent',
          'run',
          'order-assistant',
          '-i',
          `Propose an order for customer ${customerId}`,
          '--json',
        );
        const record = JSON.parse(run.stdout) as {
          proposalIds: string[];
          toolCalls: { tool: string; outcome: string; arguments: { customerId?: string } }[];
        };
        expect(record.toolCalls.map((t) => `${t.tool}:${t.outcome}`).slice(0, 2)).toEqual([
          'get_customer:result',
          'propose_order:proposed',
        ]);
        expect(record.toolCalls[1]?.arguments.customerId).toBe(customerId);
        expect(record.proposalIds).toHaveLength(1);
        const proposalId = record.proposalIds[0]!;
        expect((await cli('bob', 'agent', 'proposals')).stdout).toContain(proposalId);
        const decided = await cli('bob', 'agent', 'decide', proposalId, '--approve', '-m', 'fine');
        expect(decided.code, decided.stderr).toBe(0);
        const applied = await until(
          () => cli('bob', 'agent', 'proposals', '--all'),
          (r) => new RegExp(`${proposalId}\\s+(applied|failed)`).test(r.stdout),
          'proposal applied',
        );
        expect(applied.stdout).toMatch(new RegExp(`${proposalId}\\s+applied`));
        const instances = await cli(
          'bob',
          'process',
          'list',
          '--business-key',
          `proposal:${proposalId}`,
          '--json',
        );
        expect(instances.code, instances.stderr).toBe(0);
        const review = JSON.parse(instances.stdout) as { instances: { status: string }[] };
        expect(review.instances.map((i) => i.status)).toEqual(['INSTANCE_STATUS_COMPLETED']);
        const sdk = createAmeideClient({ baseUrl: dev.url, token: tokens['alice']! });
        const { orders } = await sdk.orders.listOrders({ pageSize: 100 });
        expect(orders.filter((o) => o.customerId === customerId)).toHaveLength(1);
      },
    );

    it(
      'an agent allowing act tools is published only after `ameide agent run --sandbox` of its draft',
      { timeout: 300_000 },
      async () => {
        // A scripted model (the definition's own script): this test is about the sandbox, not the model.
        const definition = {
          schemaVersion: 1,
          name: 'order-confirmer',
          description: 'Lists draft orders and confirms them.',
          model: {
            provider: 'scripted',
            name: 'scripted',
            parameters: {
              script: [
                { toolCalls: [{ name: 'list_orders', args: { pageSize: 5 } }] },
                { answer: 'One draft order to confirm.' },
              ],
            },
          },
          systemPrompt: 'List the orders, then confirm the drafts.',
          tools: [
            { name: 'list_orders', rpc: 'ameide.sales.v1.OrderService/ListOrders', risk: 'read' },
            {
              name: 'confirm_order',
              rpc: 'ameide.sales.v1.OrderService/ConfirmOrder',
              risk: 'act',
            },
          ],
          graph: { kind: 'react' },
          scope: { services: ['ameide.sales.v1.OrderService'] },
          policy: { allowAct: true, approverGroup: 'sales-managers' },
          limits: { maxSteps: 4, maxToolCalls: 2, tokenBudget: 4000, timeoutMs: 60000 },
        };
        const file = join(home, 'order-confirmer.json');
        await writeFile(file, JSON.stringify(definition));
        const refused = await cli('alice', 'agent', 'publish', file);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain('allows act tools (confirm_order)');
        expect(refused.stderr).toContain('ameide agent run --sandbox order-confirmer');

        const fixtures = fileURLToPath(
          new URL('../../../../examples/agents/fixtures/sales.json', import.meta.url),
        );
        const ordersBefore = (
          await createAmeideClient({ baseUrl: dev.url, token: tokens['alice']! }).orders.listOrders(
            { pageSize: 100 },
          )
        ).orders.length;
        const run = await cli(
          'alice',
          'agent',
          'run',
          '--sandbox',
          file,
          '--fixtures',
          fixtures,
          '-i',
          'Confirm the draft orders of {{fixture.0.customer.name}}.',
        );
        expect(run.code, run.stderr).toBe(0);
        expect(run.stderr).toContain('fixture 2 ameide.sales.v1.OrderService/AddOrderLine →');
        expect(run.stderr).toMatch(/read list_orders \{"pageSize":5\} → result/);
        expect(run.stdout).toMatch(/ran in sandbox tenant sandbox-[0-9a-f]{12} \(erased\)/);
        expect(run.stdout).toContain('this draft may now be published');
        // The fixtures seeded the sandbox tenant, not the caller's.
        const sdk = createAmeideClient({ baseUrl: dev.url, token: tokens['alice']! });
        expect((await sdk.orders.listOrders({ pageSize: 100 })).orders).toHaveLength(ordersBefore);

        const published = await cli('alice', 'agent', 'publish', file);
        expect(published.code, published.stderr).toBe(0);
        expect(published.stdout).toContain('published agent order-confirmer version 1');
      },
    );
  },
);
