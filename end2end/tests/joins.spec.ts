import { expect, Page, test } from '@playwright/test';
import { signIn } from './helpers';

// This spec changes the demo organization; it puts the demo data back when it is done.
test.afterAll(async ({ request, baseURL }) => {
  const reset = await request.post('/demo/reset', { headers: { origin: baseURL ?? '' } });
  expect(reset.status()).toBe(204);
});

function tenantCard(page: Page, name: string) {
  return page.getByRole('region', { name, exact: true });
}

// The forms answer in the page with JavaScript, and after their redirect without it.
test('Contoso adds Tailspin by its domain, Tailspin approves and joins, Northwind declines, all audited', async ({ page, javaScriptEnabled }) => {
  test.setTimeout(120_000);

  await signIn(page, 'Contoso', 'admin@contoso.onmicrosoft.com');
  await page.goto('/joins');
  if (javaScriptEnabled) await expect(page.locator('header.site-header')).toHaveClass(/hydrated/);
  const contoso = tenantCard(page, 'Contoso');
  await contoso.getByLabel('Tenant id or verified domain').fill('tailspintoys.onmicrosoft.com');
  await contoso.getByRole('button', { name: 'Look up' }).click();
  await expect(contoso.locator('.resolved')).toContainText('Found Tailspin Toys');
  await expect(contoso.locator('.resolved')).toContainText('1a5c7e9b-3d2f-4c8a-b6e4-8f0a2c4e6a55');
  await contoso.getByRole('button', { name: 'Add Tailspin Toys' }).click();
  await expect(contoso.getByRole('status').filter({ hasText: 'pending until its admin joins' })).toBeVisible();
  await expect(contoso.getByRole('row', { name: /Tailspin Toys/ })).toContainText('pending');

  await signIn(page, 'Tailspin Toys', 'admin@tailspintoys.onmicrosoft.com');
  await page.goto('/joins');
  const tailspin = tenantCard(page, 'Tailspin Toys');
  const request = tailspin.getByRole('group', { name: 'Join request for Tailspin Toys' });
  await expect(request).toContainText('Contoso Group');
  await expect(request).toContainText('waiting for your approval');
  await tailspin.getByRole('button', { name: 'Approve and join' }).click();
  await expect(tailspin.locator('.join-status')).toContainText(/notStarted|running/);
  // The emulator's demo clock takes about 20 s; the page refreshes itself every 5 s (with
  // JavaScript; without, the person reloads it).
  if (javaScriptEnabled) {
    await expect(tailspin).toContainText('member, active, in Contoso Group', { timeout: 60_000 });
  } else {
    await expect
      .poll(async () => {
        await page.reload();
        return (await tenantCard(page, 'Tailspin Toys').textContent()) ?? '';
      }, { timeout: 60_000, intervals: [3_000] })
      .toContain('member, active, in Contoso Group');
  }

  await page.goto('/');
  const tenants = page.getByRole('region', { name: 'Tenants', exact: true });
  await expect(tenants.getByRole('row', { name: /Tailspin Toys/ })).toContainText('active');
  await page.goto('/pairs/2f1d6a3e-8c4b-4f7a-9e21-5b3c7d9a0c11/1a5c7e9b-3d2f-4c8a-b6e4-8f0a2c4e6a55');
  const marked = page.getByRole('row', { name: /Marked as MTO partner/ });
  await expect(marked.getByRole('cell').nth(1)).toHaveText('yes');

  await signIn(page, 'Northwind Traders', 'admin@northwindtraders.onmicrosoft.com');
  await page.goto('/joins');
  await tenantCard(page, 'Northwind Traders').getByRole('button', { name: 'Decline' }).click();
  await expect(tenantCard(page, 'Northwind Traders').getByRole('status').filter({ hasText: 'Declined the request' })).toBeVisible();
  await page.reload();
  await expect(tenantCard(page, 'Contoso').getByRole('row', { name: /Northwind Traders/ })).toContainText('declined by admin@northwindtraders.onmicrosoft.com');

  await page.goto('/audit');
  const log = page.locator('table.audit');
  await expect(log.getByRole('row').filter({ hasText: 'add-tenant' }).first()).toContainText('success');
  await expect(log.getByRole('row').filter({ hasText: 'approve-join' }).first()).toContainText('admin@tailspintoys.onmicrosoft.com');
  await expect(log.getByRole('row').filter({ hasText: 'decline-join' }).first()).toContainText('admin@northwindtraders.onmicrosoft.com');
});

test('a reader sees the join request but no way to approve it', async ({ page }) => {
  await signIn(page, 'Northwind Traders', 'reader@northwindtraders.onmicrosoft.com');
  await page.goto('/joins');
  const northwind = tenantCard(page, 'Northwind Traders');
  await expect(northwind).toContainText('Contoso Group');
  await expect(northwind).toContainText('can read only');
  await expect(northwind.getByRole('button')).toHaveCount(0);
});
