import { chromium } from 'playwright-core';
import { startConsolePlatform } from '../src/e2e/console-platform.js';
const platform = await startConsolePlatform();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
page.on('console', (m) => console.log('CONSOLE', m.type(), m.text().slice(0, 300)));
page.on('pageerror', (e) => console.log('PAGEERROR', e.message));
await page.goto(platform.host.url);
await page.getByRole('button', { name: 'Sign in' }).click();
await page.getByRole('button', { name: 'New process' }).click();
const canvas = page.getByTestId('canvas');
for (const [k, x, y] of [['startEvent', 80, 220], ['userTask', 230, 220], ['exclusiveGateway', 420, 220], ['endEvent', 580, 120], ['endEvent', 580, 320]] as const) {
  await page.locator(`[data-palette="${k}"]`).dragTo(canvas, { targetPosition: { x, y } });
}
console.log('nodes', await page.locator('.react-flow__node').count());
async function connectNodes(source: string, target: string) {
  const from = (await page.locator(`.react-flow__node[data-id="${source}"] .react-flow__handle-right`).boundingBox())!;
  const to = (await page.locator(`.react-flow__node[data-id="${target}"] .react-flow__handle-left`).boundingBox())!;
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 8 });
  await page.mouse.up();
}
await connectNodes('StartEvent_1', 'Task_1');
await connectNodes('Task_1', 'Gateway_1');
await connectNodes('Gateway_1', 'EndEvent_1');
await connectNodes('Gateway_1', 'EndEvent_2');
await page.waitForTimeout(500);
console.log('edges', await page.locator('.react-flow__edge').count());
console.log(await page.getByTestId('problem-count').first().textContent());
console.log((await page.locator('.diagnostics li').allTextContents()).join('\n'));
await page.screenshot({ path: '/work/main/test-artifacts/dbg.png' });
await browser.close();
await platform.close();
