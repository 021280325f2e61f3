// The starter page in Chromium (playwright-core): served next to the platform, signed in as a
// tenant, it lists that tenant's orders and none of another tenant's.
// AMEIDE_UI_URL: where the built app is served (e.g. by `ameide dev`); AMEIDE_TOKEN_ACME: a
// token of tenant acme; CHROMIUM: the browser binary.
import { describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';

const url = process.env.AMEIDE_UI_URL;
const token = process.env.AMEIDE_TOKEN_ACME;

describe.skipIf(!url || !token)('${{ values.name }} starter page', () => {
  it('shows the orders of the signed-in tenant', { timeout: 120_000 }, async () => {
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM });
    try {
      const page = await browser.newPage();
      await page.goto(url!);
      await page.evaluate((t) => {
        sessionStorage.setItem('ameide.session', JSON.stringify({ token: t, tenantId: 'acme', userId: 'alice', groups: [] }));
      }, token!);
      await page.reload();
      await expect.poll(() => page.getByTestId('tenant').textContent()).toBe('Orders of acme');
      await page.waitForSelector('[data-testid="order"], text=No orders yet.');
    } finally {
      await browser.close();
    }
  });
});
