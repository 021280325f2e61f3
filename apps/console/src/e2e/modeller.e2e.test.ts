import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createAmeideClient, type AmeideClient } from '@ameide/sdk';
import { ArtifactKind } from '@ameide/proto';
import { importBpmn, orderProcessDefinition } from '@ameide/process-definition';
import { compareBpmn, generateProcessDefinition } from '@ameide/process-definition/testing';
import { startConsolePlatform } from './console-platform.js';

const repo = (p: string) => fileURLToPath(new URL(`../../../../${p}`, import.meta.url));
const ARTIFACTS = repo('test-artifacts/console');
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
/** Responses the tests provoke on purpose (publish refused, stale version); Chromium logs them as errors. */
let expectedFailures = 0;
const figures: Record<string, number | string> = {};

async function nodeClient(tenantId: string, userId: string): Promise<AmeideClient> {
  const res = await fetch(`${platform.host.url}/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenantId, userId }),
  });
  const { token } = (await res.json()) as { token: string };
  return createAmeideClient({ baseUrl: platform.host.url, token });
}

async function canvasPoint(x: number, y: number) {
  const box = (await page.getByTestId('canvas').boundingBox())!;
  return { x: box.x + x, y: box.y + y };
}

async function dropFromPalette(key: string, x: number, y: number) {
  const canvas = page.getByTestId('canvas');
  await page.locator(`[data-palette="${key}"]`).dragTo(canvas, { targetPosition: { x, y } });
}

async function connectNodes(source: string, target: string) {
  const from = (await page
    .locator(`.react-flow__node[data-id="${source}"] .react-flow__handle-right`)
    .boundingBox())!;
  const to = (await page
    .locator(`.react-flow__node[data-id="${target}"] .react-flow__handle-left`)
    .boundingBox())!;
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 8 });
  await page.mouse.up();
}

async function clickEmptyCanvas() {
  const p = await canvasPoint(450, 520);
  await page.mouse.click(p.x, p.y);
}

const problemCount = () =>
  page.getByRole('region', { name: 'Problems' }).getByTestId('problem-count');

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  platform = await startConsolePlatform();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
  });
  page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
}, 180_000);

afterAll(async () => {
  await writeFile(`${ARTIFACTS}/figures.json`, JSON.stringify(figures, null, 2));
  await browser?.close();
  await platform?.close();
});

describe('console and modeller in Chromium', () => {
  it('signs in for a chosen tenant/user/groups and shows the tenant everywhere', async () => {
    await page.goto(platform.host.url);
    await page.getByLabel('Tenant').fill('acme');
    await page.getByLabel('User').fill('alice');
    await page.getByLabel('Groups').fill('sales, managers');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByTestId('tenant').textContent()).toBe('tenant acme');
    await page.getByText('No process definitions yet').waitFor();
  });

  it('draws an approval process from the palette; lint errors appear and disappear; publish is refused, then succeeds', async () => {
    await page.getByRole('button', { name: 'New process' }).click();
    await page.getByRole('button', { name: 'Add Start event' }).waitFor();
    await dropFromPalette('startEvent', 80, 220);
    await expect.poll(() => problemCount().textContent()).toMatch(/^[1-9]\d* errors?/);
    await dropFromPalette('userTask', 230, 220);
    await dropFromPalette('exclusiveGateway', 420, 220);
    await dropFromPalette('endEvent', 580, 120);
    await dropFromPalette('endEvent', 580, 320);
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(5);
    await connectNodes('StartEvent_1', 'Task_1');
    await connectNodes('Task_1', 'Gateway_1');
    await connectNodes('Gateway_1', 'EndEvent_1');
    await connectNodes('Gateway_1', 'EndEvent_2');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(4);
    // The only problems left: the gateway's outgoing flows need a condition or the default mark.
    await expect.poll(() => problemCount().textContent()).toBe('2 errors, 0 warnings');
    expect(await page.locator('button.diagnostic[data-code="AM013"]').count()).toBe(2);
    await expect.poll(() => page.locator('.sequence-flow.has-error').count()).toBe(2);

    // Name the process (nothing selected) and the task in the properties panel.
    await clickEmptyCanvas();
    await page.getByRole('heading', { name: 'Process Process_1' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Order approval');
    await page.getByLabel('Name', { exact: true }).press('Enter');
    await page.locator('.react-flow__node[data-id="Task_1"]').click();
    await page.getByLabel('Name', { exact: true }).fill('Review order');
    await page.getByLabel('Name', { exact: true }).press('Tab');
    await page
      .getByLabel('Form (JSON Schema)')
      .fill('{"type":"object","properties":{"approved":{"type":"boolean"}}}');
    await page.getByLabel('Form (JSON Schema)').press('Tab');

    // Save, then publish: refused with the lint errors listed.
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect
      .poll(() => page.getByTestId('message').textContent())
      .toMatch(/Saved \(version 1\)/);
    expectedFailures++;
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await expect
      .poll(() => page.getByTestId('message').textContent())
      .toMatch(/Publish refused: 2 lint error/);
    await page
      .getByRole('region', { name: 'Publish refused' })
      .locator('button[data-code="AM013"]')
      .first()
      .waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/modeller-lint-errors.png` });

    // Fix: clicking a problem selects its flow; give one a condition, mark the other default.
    await page.locator('.diagnostics button.diagnostic[data-element="Flow_3"]').first().click();
    const condition = page.getByLabel('Condition (FEEL)');
    await condition.fill('approved = ');
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'FEEL' }).count()).toBe(1);
    await condition.fill('approved = true');
    await condition.press('Tab');
    await expect.poll(() => problemCount().textContent()).toBe('1 error, 0 warnings');
    await page.locator('.diagnostics button.diagnostic[data-element="Flow_4"]').first().click();
    await page.getByLabel(/Default flow/).check();
    await expect.poll(() => problemCount().textContent()).toBe('0 errors, 0 warnings');
    await expect.poll(() => page.locator('.sequence-flow.has-error').count()).toBe(0);

    // Undo brings the error back, redo removes it again.
    await clickEmptyCanvas();
    await page.keyboard.press('Control+z');
    await expect.poll(() => problemCount().textContent()).toBe('1 error, 0 warnings');
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(() => problemCount().textContent()).toBe('0 errors, 0 warnings');

    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await expect
      .poll(() => page.getByTestId('message').textContent())
      .toMatch(/Published version 1/);
    await page.screenshot({ path: `${ARTIFACTS}/modeller.png` });

    const client = await nodeClient('acme', 'checker');
    const { artifacts } = await client.transformation.listArtifacts({
      kind: ArtifactKind.PROCESS_DEFINITION,
    });
    expect(artifacts.map((a) => [a.name, a.latestPublishedVersion])).toEqual([
      ['Order approval', 1],
    ]);
  });

  it('copies, pastes and deletes with the keyboard', async () => {
    await page.locator('.react-flow__node[data-id="Task_1"]').click();
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    await expect.poll(() => page.locator('.react-flow__node[data-id="Task_2"]').count()).toBe(1);
    await page.keyboard.press('Delete');
    await expect.poll(() => page.locator('.react-flow__node[data-id="Task_2"]').count()).toBe(0);
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(5);
  });

  it('shows history and opens a past version read-only', async () => {
    await page.locator('.history button[data-stream-version="1"]').click();
    await page.getByText('Viewing version 1 (read-only)').waitFor();
    expect(await page.getByRole('button', { name: 'Add Start event' }).isDisabled()).toBe(true);
    // Version 1 was saved before the fix: its flows are drawn and still have the errors.
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(4);
    await expect.poll(() => problemCount().textContent()).toBe('2 errors, 0 warnings');
    await page.screenshot({ path: `${ARTIFACTS}/modeller-history.png` });
    await page.getByRole('button', { name: 'Back to the draft' }).click();
    await expect.poll(() => problemCount().textContent()).toBe('0 errors, 0 warnings');
  });

  it('refuses to save over a newer version with a clear message and reloads it', async () => {
    const client = await nodeClient('acme', 'bob');
    const { artifacts } = await client.transformation.listArtifacts({
      kind: ArtifactKind.PROCESS_DEFINITION,
    });
    const { artifact } = await client.transformation.getArtifact({ artifactId: artifacts[0]!.id });
    const theirs = JSON.parse(new TextDecoder().decode(artifact!.content)) as { name: string };
    theirs.name = 'Order approval (bob)';
    await client.transformation.reviseArtifact({
      artifactId: artifact!.id,
      expectedVersion: artifact!.streamVersion,
      content: new TextEncoder().encode(JSON.stringify(theirs)),
    });

    await clickEmptyCanvas();
    await page.getByLabel('Name', { exact: true }).fill('Order approval (alice)');
    await page.getByLabel('Name', { exact: true }).press('Enter');
    expectedFailures++;
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'Someone else saved this definition' })
      .waitFor();
    await page.getByRole('button', { name: 'Reload' }).click();
    await expect.poll(() => page.locator('.toolbar h1').textContent()).toBe('Order approval (bob)');
  });

  it('imports an example BPMN file and exports it again: the file round-trips', async () => {
    const file = repo('examples/processes/lead-to-order.bpmn');
    await page.goto(`${platform.host.url}/#/`);
    await page.locator('input[type=file][aria-label="Import BPMN file"]').setInputFiles(file);
    await page.getByText('Imported lead-to-order.bpmn').waitFor();
    const original = await importBpmn(await readFile(file, 'utf8'));
    if (!original.ok) throw new Error('example does not import');
    await expect
      .poll(() => page.locator('.react-flow__node').count())
      .toBe(
        original.definition.nodes.length +
          original.definition.lanes.length +
          (original.definition.participant ? 1 : 0),
      );
    await page.screenshot({ path: `${ARTIFACTS}/modeller-imported.png` });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export BPMN' }).click(),
    ]);
    const exported = await readFile(await download.path(), 'utf8');
    await writeFile(`${ARTIFACTS}/lead-to-order.exported.bpmn`, exported);
    const again = await importBpmn(exported);
    if (!again.ok) throw new Error('export does not import');
    expect(orderProcessDefinition(again.definition)).toEqual(
      orderProcessDefinition(original.definition),
    );
  });

  it('draws event subprocesses (dotted), escalation, conditional, link and signal events, and message and signal starts of the examples', async () => {
    const expectations: Array<[string, Record<string, number>]> = [
      ['order-fulfilment-events', { '.event-subprocess': 4 }],
      ['order-review-escalation', { '.type-intermediateThrowEvent': 1, '.event-subprocess': 1 }],
      ['order-risk-watch', { '.type-intermediateConditionalEvent': 1 }],
      [
        'order-review-links',
        { '.type-intermediateThrowEvent': 1, '.type-intermediateLinkEvent': 1 },
      ],
      ['order-recall-watch', { '.type-intermediateSignalEvent': 1 }],
      [
        'shipment-dispatch',
        {
          '.type-intermediateSignalEvent': 1,
          '.type-intermediateMessageEvent': 1,
          '.type-intermediateTimerEvent': 1,
        },
      ],
      ['order-intake', { '.type-startEvent [data-marker="message"]': 1 }],
      ['recall-notice', { '.type-startEvent [data-marker="signal"]': 1 }],
    ];
    for (const [example, selectors] of expectations) {
      const file = repo(`examples/processes/${example}.bpmn`);
      await page.goto(`${platform.host.url}/#/`);
      await page.locator('input[type=file][aria-label="Import BPMN file"]').setInputFiles(file);
      await page.getByText(`Imported ${example}.bpmn`).waitFor();
      const imported = await importBpmn(await readFile(file, 'utf8'));
      if (!imported.ok) throw new Error(`${example} does not import`);
      await expect
        .poll(() => page.locator('.react-flow__node').count())
        .toBe(imported.definition.nodes.length);
      for (const [selector, count] of Object.entries(selectors))
        expect(
          await page.locator(`.react-flow__node ${selector}`).count(),
          `${example} ${selector}`,
        ).toBe(count);
      await page.screenshot({ path: `${ARTIFACTS}/modeller-${example}.png` });
    }
  });

  it('imports a Camunda Modeler collaboration: kept pools, message flows and annotations are drawn, and the export gives the file back', async () => {
    const file = repo(
      'packages/process-definition/test/fixtures/camunda-modeler-collaboration.bpmn',
    );
    await page.goto(`${platform.host.url}/#/`);
    await page.locator('input[type=file][aria-label="Import BPMN file"]').setInputFiles(file);
    await page.getByText('Imported camunda-modeler-collaboration.bpmn').waitFor();
    // The sales process is the definition; the warehouse process and the customer are kept pools.
    await expect.poll(() => page.getByTestId('pool').count()).toBe(1);
    await expect.poll(() => page.getByTestId('kept-pool').count()).toBe(2);
    expect(await page.getByTestId('kept-pool').allTextContents()).toEqual([
      'Warehouse',
      'Customer',
    ]);
    expect(await page.getByTestId('message-flow').count()).toBe(4);
    expect(
      await page
        .locator('[data-testid="message-flow"][data-id="Flow_msg_pick"] text')
        .textContent(),
    ).toBe('pick request');
    expect(await page.getByTestId('association').count()).toBe(2);
    expect(await page.getByTestId('kept-annotation').allTextContents()).toEqual([
      'Scanner app',
      'SLA: 24 h from order to shipment',
    ]);
    // Drawn where the file puts them: the customer pool lies above the sales pool.
    const customer = (await page.getByTestId('kept-pool').last().boundingBox())!;
    const sales = (await page.getByTestId('pool').boundingBox())!;
    expect(customer.y + customer.height).toBeLessThanOrEqual(sales.y + 1);
    await page.screenshot({ path: `${ARTIFACTS}/modeller-collaboration.png` });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export BPMN' }).click(),
    ]);
    const exported = await readFile(await download.path(), 'utf8');
    await writeFile(`${ARTIFACTS}/camunda-modeler-collaboration.exported.bpmn`, exported);
    expect(await compareBpmn(await readFile(file, 'utf8'), exported)).toEqual([]);
  });

  it('opens a 500-node definition and drags a node (figures in test-artifacts/console/figures.json)', async () => {
    const client = await nodeClient('acme', 'alice');
    const big = generateProcessDefinition(500, 11);
    const { artifact } = await client.transformation.createArtifact({
      kind: ArtifactKind.PROCESS_DEFINITION,
      name: 'generated-500',
      contentType: 'application/json',
      content: new TextEncoder().encode(JSON.stringify(big)),
    });
    await page.goto(`${platform.host.url}/#/`);
    await page.evaluate(() => performance.clearMeasures());
    await page.goto(`${platform.host.url}/#/definitions/${artifact!.id}`);
    await expect
      .poll(() => page.evaluate(() => performance.getEntriesByName('ameide:open').length), {
        timeout: 30_000,
      })
      .toBeGreaterThan(0);
    figures['nodes'] = big.nodes.length;
    figures['edges'] = big.edges.length;
    figures['openMs'] = Math.round(
      await page.evaluate(() => performance.getEntriesByName('ameide:open').at(-1)!.duration),
    );
    figures['lintMs'] = Number(
      (await page.getByTestId('message').textContent())!.match(/lint (\d+) ms/)![1],
    );
    // Zoom in on the start so nodes are big enough to grab.
    await page.locator('.diagnostics').first().waitFor();
    const first = page
      .locator('.react-flow__node')
      .filter({ hasNot: page.locator('.lane') })
      .nth(3);
    const id = await first.getAttribute('data-id');
    const box = (await first.boundingBox())!;
    const start = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    // Frame intervals while dragging (requestAnimationFrame), to report smoothness.
    await page.evaluate(
      'window.__frames = []; { let last = performance.now(); const loop = (t) => { window.__frames.push(t - last); last = t; if (window.__frames.length < 300) requestAnimationFrame(loop); }; requestAnimationFrame(loop); }',
    );
    const t0 = Date.now();
    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    await page.mouse.move(start.x + 60, start.y + 40, { steps: 20 });
    await page.mouse.up();
    figures['drag20StepsMs'] = Date.now() - t0;
    const frames = (await page.evaluate<number[]>('window.__frames'))
      .slice(1)
      .sort((a, b) => a - b);
    figures['dragFrameP50Ms'] = Math.round(frames[Math.floor(frames.length / 2)]!);
    figures['dragFrameP95Ms'] = Math.round(frames[Math.floor(frames.length * 0.95)]!);
    figures['dragFrameMaxMs'] = Math.round(frames.at(-1)!);
    await expect
      .poll(() => page.evaluate(() => performance.getEntriesByName('ameide:drag-commit').length))
      .toBeGreaterThan(0);
    figures['dragCommitMs'] = Math.round(
      await page.evaluate(
        () => performance.getEntriesByName('ameide:drag-commit').at(-1)!.duration,
      ),
    );
    expect(await page.locator(`.react-flow__node[data-id="${id}"]`).count()).toBe(1);
    await page.screenshot({ path: `${ARTIFACTS}/modeller-500.png` });
  });

  it('logged no console errors other than the refusals the tests provoked', () => {
    const unexpected = consoleErrors.filter(
      (e) =>
        !/Failed to load resource: the server responded with a status of (409|412|400)/.test(e),
    );
    expect(unexpected).toEqual([]);
    expect(consoleErrors.length - unexpected.length).toBeLessThanOrEqual(expectedFailures);
  });
});
