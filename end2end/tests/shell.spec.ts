import { expect, test } from '@playwright/test';

const navigation = ['Mesh', 'Joins', 'Sync', 'Users', 'Diagnose', 'Drift', 'Audit'];

test('the shell is server-rendered and readable', async ({ page }) => {
  const response = await page.goto('/');
  expect(response?.status()).toBe(200);
  await expect(page).toHaveTitle('Tenant mesh · Tenant Mesh');
  await expect(page.getByRole('heading', { level: 1, name: 'Tenant mesh' })).toBeVisible();
  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const label of navigation) {
    await expect(nav.getByRole('link', { name: label, exact: true })).toBeVisible();
  }
  await expect(page.getByRole('region', { name: 'Signed-in tenants' })).toContainText('Not signed in');
});

test('navigation reaches every section and marks the current one', async ({ page }) => {
  await page.goto('/');
  const nav = page.getByRole('navigation', { name: 'Main' });
  const headings: Record<string, string> = {
    Joins: 'Joins',
    Sync: 'Cross-tenant sync',
    Users: 'Users',
    Diagnose: 'Diagnose',
    Drift: 'Configuration drift',
    Audit: 'Audit',
    Mesh: 'Tenant mesh',
  };
  for (const [link, heading] of Object.entries(headings)) {
    await nav.getByRole('link', { name: link, exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
    await expect(nav.getByRole('link', { name: link, exact: true })).toHaveAttribute('aria-current', 'page');
  }
});

test('the sign-in page is reachable from the header', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('region', { name: 'Signed-in tenants' }).getByRole('link', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in to a tenant' })).toBeVisible();
  await expect(page.getByLabel('Tenant id or verified domain')).toBeVisible();
});

test('keyboard focus is visible', async ({ page }) => {
  await page.goto('/');
  await page.keyboard.press('Tab');
  const focused = page.locator(':focus');
  await expect(focused).toHaveText('Skip to content');
  const outline = await focused.evaluate((element) => getComputedStyle(element).outlineStyle);
  expect(outline).not.toBe('none');
});
