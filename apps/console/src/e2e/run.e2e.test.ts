import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createAmeideClient } from '@ameide/sdk';
import { ArtifactKind } from '@ameide/proto';
import {
  addNode,
  connect,
  createEmptyDefinition,
  updateEdgeData,
  updateNodeData,
} from '../model/edit-definition.js';
import type { EditResult } from '../model/edit-types.js';
import { paletteItem } from '../model/node-kinds.js';
import type { ProcessDefinition } from '@ameide/process-definition';
import { startConsolePlatform } from './console-platform.js';

const ARTIFACTS = fileURLToPath(new URL('../../../../test-artifacts/console', import.meta.url));
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

let platform: Awaited<ReturnType<typeof startConsolePlatform>>;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

function ok(r: EditResult): ProcessDefinition {
  if (!r.ok) throw new Error(r.message);
  return r.definition;
}

/** start → Review (user task with a form) → gateway → approved / rejected. */
function approvalProcess(): ProcessDefinition {
  let d = createEmptyDefinition('order-approval', 'order-approval');
  const add = (key: string, x: number, y: number) => {
    const item = paletteItem(key)!;
    d = ok(addNode(d, { type: item.type, data: item.data(), position: { x, y } }));
  };
  add('startEvent', 0, 122);
  add('userTask', 100, 100);
  add('exclusiveGateway', 280, 115);
  add('endEvent', 420, 40);
  add('endEvent', 420, 200);
  d = ok(
    updateNodeData(d, 'Task_1', {
      name: 'Review order',
      binding: {
        title: 'Review order',
        form: {
          type: 'object',
          properties: { approved: { type: 'boolean', title: 'Approve?' } },
          required: ['approved'],
        },
        output: '{ approved: submission.approved }',
      },
    }),
  );
  d = ok(updateNodeData(d, 'EndEvent_1', { name: 'Approved' }));
  d = ok(updateNodeData(d, 'EndEvent_2', { name: 'Rejected' }));
  for (const [s, t] of [
    ['StartEvent_1', 'Task_1'],
    ['Task_1', 'Gateway_1'],
    ['Gateway_1', 'EndEvent_1'],
    ['Gateway_1', 'EndEvent_2'],
  ] as const)
    d = ok(connect(d, s, t));
  d = ok(updateEdgeData(d, 'Flow_3', { condition: 'approved = true' }));
  d = ok(updateEdgeData(d, 'Flow_4', { isDefault: true }));
  return d;
}

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  platform = await startConsolePlatform({ temporalAddress: inject('temporalAddress') });
  const token = (
    (await (
      await fetch(`${platform.host.url}/dev/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tenantId: 'runs', userId: 'alice' }),
      })
    ).json()) as { token: string }
  ).token;
  const client = createAmeideClient({ baseUrl: platform.host.url, token });
  const { artifact } = await client.transformation.createArtifact({
    kind: ArtifactKind.PROCESS_DEFINITION,
    name: 'order-approval',
    contentType: 'application/json',
    content: new TextEncoder().encode(JSON.stringify(approvalProcess())),
  });
  await client.transformation.publishArtifact({ artifactId: artifact!.id });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(e.message));
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await platform?.close();
});

describe('run and watch in Chromium', () => {
  it('starts an instance, completes the user task from the inbox and watches it finish on the diagram', async () => {
    await page.goto(platform.host.url);
    await page.getByLabel('Tenant').fill('runs');
    await page.getByLabel('User').fill('alice');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Instances' }).click();
    const form = page.getByRole('form', { name: 'Start an instance' });
    await form.getByLabel('Business key').fill('PO-1');
    await expect.poll(() => form.getByLabel('Definition').inputValue()).toBe('order-approval');
    await form.getByRole('button', { name: 'Start' }).click();
    await expect
      .poll(() => page.getByTestId('instance-status').textContent(), { timeout: 30_000 })
      .toMatch(/^running · PO-1/);
    await expect
      .poll(() => page.locator('.react-flow__node.run-active[data-id="Task_1"]').count(), {
        timeout: 30_000,
      })
      .toBe(1);
    await page.screenshot({ path: `${ARTIFACTS}/instance-running.png` });

    await page.getByRole('link', { name: 'Tasks' }).click();
    await page.getByRole('button', { name: /Review order/ }).click();
    await page.getByLabel('Approve?').check();
    await page.getByRole('button', { name: 'Complete task' }).click();
    await expect.poll(() => page.getByText('No open tasks.').count(), { timeout: 30_000 }).toBe(1);

    await page.getByRole('link', { name: 'Instances' }).click();
    await page
      .getByRole('link', { name: /PO-1|order-approval/ })
      .first()
      .waitFor()
      .catch(() => undefined);
    await page.locator('table a').first().click();
    await expect
      .poll(() => page.getByTestId('instance-status').textContent(), { timeout: 30_000 })
      .toMatch(/^completed/);
    await expect
      .poll(() => page.locator('.react-flow__node.run-completed[data-id="EndEvent_1"]').count(), {
        timeout: 30_000,
      })
      .toBe(1);
    expect(
      await page.locator('.react-flow__node.run-completed[data-id="EndEvent_2"]').count(),
    ).toBe(0);
    await page.screenshot({ path: `${ARTIFACTS}/instance-completed.png` });
    expect(consoleErrors).toEqual([]);
  });
});
