import { expect, test } from '@playwright/test';
import { findInMatrixByKeyboard, signIn } from './helpers';

// The 100-tenant scale scenario (`--scenario scale:100:50`, emulator/README.md): "Tenant 001" …
// "Tenant 100", all active in one MTO owned by Tenant 001, one Global Administrator
// admin@tenantNNN.onmicrosoft.com each, sync in a ring with Tenant 042 → Tenant 043 quarantined
// and Tenant 010 → Tenant 011 paused. Run by the `scale` project only, against its own server
// (playwright.config.ts).

const OWNER = { name: 'Tenant 001', upn: 'admin@tenant001.onmicrosoft.com' };

test.describe('100 tenants', () => {
  test('the sign-in page offers every tenant, and the mesh shows 100 active tenants', async ({ page }) => {
    await page.goto('/signin');
    await expect(page.getByRole('link', { name: /^Sign in to Tenant \d{3}$/ })).toHaveCount(100);
    await expect(page.getByRole('link', { name: 'Sign in to Tenant 100', exact: true })).toBeVisible();

    await signIn(page, OWNER.name, OWNER.upn);
    await expect(page.getByRole('list', { name: 'Tenant counts' })).toContainText('100 active');
  });

  test('the pair matrix holds all 100, and the quarantined pair is found by keyboard alone', async ({ page }) => {
    test.setTimeout(120_000);
    await signIn(page, OWNER.name, OWNER.upn);
    // Tenant 042's own side shows its job (the app-only monitor's reading may not be there yet).
    await signIn(page, 'Tenant 042', 'admin@tenant042.onmicrosoft.com');
    const grid = page.getByRole('grid', { name: /Pair matrix/ });
    await expect(grid.getByRole('rowheader')).toHaveCount(100);
    await expect(grid.getByRole('columnheader')).toHaveCount(100);
    // Narrowed to the problems, worst first, by keyboard: the options form, then the grid.
    await page.getByLabel('Show').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Tab');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/show=problems&order=health/);
    // A hundred findings come first on the page: start from the matrix's own options.
    const label = await findInMatrixByKeyboard(page, /Quarantined/, page.getByRole('button', { name: 'Apply' }));
    expect(label).toMatch(/^Tenant 042 → Tenant 043: Quarantined/);
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { level: 1, name: /Tenant 042 ⇄ Tenant 043/ })).toBeVisible();
  });

  test('twenty sign-ins fold into one header line at 1280 px', async ({ page }) => {
    test.setTimeout(300_000);
    await page.setViewportSize({ width: 1280, height: 800 });
    for (let i = 1; i <= 20; i++) {
      const n = String(i).padStart(3, '0');
      await signIn(page, `Tenant ${n}`, `admin@tenant${n}.onmicrosoft.com`);
    }
    const summary = page.getByRole('region', { name: 'Signed-in tenants' }).locator('summary');
    await expect(summary).toContainText('20 tenants');
    const header = await page.locator('.brand-row').boundingBox();
    expect(header?.height ?? 999).toBeLessThan(80);
    await summary.click();
    await expect(page.getByRole('region', { name: 'Signed-in tenants' }).getByRole('listitem')).toHaveCount(20);
  });
});
