import { expect, test } from '@playwright/test';
import { signIn } from './helpers';

test.describe('with JavaScript', () => {
  test.skip(({ javaScriptEnabled }) => !javaScriptEnabled, 'the island needs JavaScript');

  test('the island runs under the page CSP: the tenant field validates as you type', async ({ page }) => {
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));

    await page.goto('/signin');
    const field = page.getByLabel('Tenant id or verified domain');
    const submit = page.getByRole('button', { name: 'Continue to sign-in' });

    // Typing only reacts once the page's island (the wasm bundle) is running.
    await expect(async () => {
      await field.fill('');
      await field.pressSequentially('not a tenant');
      await expect(page.getByRole('alert')).toContainText('neither a tenant id', { timeout: 500 });
    }).toPass();
    await expect(field).toHaveAttribute('aria-invalid', 'true');
    await expect(submit).toBeDisabled();

    await field.fill('contoso.onmicrosoft.com');
    await expect(page.getByRole('alert')).toHaveText('');
    await expect(submit).toBeEnabled();
    expect(problems).toEqual([]);
  });

  test('client-side navigation does not reload the page', async ({ page }) => {
    await page.goto('/');
    // The header is marked once the page's island runs; from then on links are answered in the page.
    await expect(page.locator('header.site-header')).toHaveClass(/hydrated/);
    await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'still here'));
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sync' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Cross-tenant sync' })).toBeVisible();
    expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('still here');
  });

  test('back and forward show the pages again, in the page', async ({ page }) => {
    await page.goto('/');
    await expect(page.locator('header.site-header')).toHaveClass(/hydrated/);
    await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'still here'));
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Audit' }).click();
    await expect(page.getByRole('heading', { level: 1, name: /Audit/ })).toBeVisible();
    await expect(nav.getByRole('link', { name: 'Audit' })).toHaveAttribute('aria-current', 'page');
    await expect(page).toHaveTitle(/Audit/);
    await page.goBack();
    await expect(page.getByRole('heading', { level: 1, name: 'Tenant mesh' })).toBeVisible();
    await expect(nav.getByRole('link', { name: 'Mesh' })).toHaveAttribute('aria-current', 'page');
    await page.goForward();
    await expect(page.getByRole('heading', { level: 1, name: /Audit/ })).toBeVisible();
    expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('still here');
  });

  test('a form answers in the page, and the automatic refresh leaves a field being typed alone', async ({ page }) => {
    await signIn(page, 'Contoso', 'admin@contoso.onmicrosoft.com');
    await page.goto('/joins');
    await expect(page.locator('header.site-header')).toHaveClass(/hydrated/);
    await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'still here'));
    const contoso = page.getByRole('region', { name: 'Contoso', exact: true });
    const field = contoso.getByLabel('Tenant id or verified domain');
    await field.fill('tailspintoys.onmicrosoft.com');
    await contoso.getByRole('button', { name: 'Look up' }).click();
    await expect(contoso.locator('.resolved')).toContainText('Found Tailspin Toys');
    expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('still here');
    // The page reads itself again every 5 s, but not while a field has the focus: what is typed stays.
    await field.fill('northwind');
    await page.waitForTimeout(7_000);
    await expect(field).toHaveValue('northwind');
    await expect(field).toBeFocused();
  });

  test('on a tablet-width screen the menu button folds and unfolds the navigation', async ({ page }) => {
    await page.setViewportSize({ width: 700, height: 900 });
    await page.goto('/');
    await expect(page.locator('header.site-header')).toHaveClass(/hydrated/);
    const menu = page.getByRole('button', { name: 'Menu' });
    await expect(menu).toBeVisible();
    await expect(menu).toHaveAttribute('aria-expanded', 'false');
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect(nav).toBeHidden();
    await menu.click();
    await expect(menu).toHaveAttribute('aria-expanded', 'true');
    await expect(nav.getByRole('link', { name: 'Joins' })).toBeVisible();
  });
});

test.describe('without JavaScript', () => {
  test.skip(({ javaScriptEnabled }) => javaScriptEnabled, 'checks the page without its island');

  test('on a tablet-width screen the navigation is shown without a menu button', async ({ page }) => {
    await page.setViewportSize({ width: 700, height: 900 });
    await page.goto('/');
    await expect(page.getByRole('button', { name: 'Menu' })).toBeHidden();
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Joins' })).toBeVisible();
  });

  test('the sign-in form still submits to the sign-in endpoint', async ({ page }) => {
    await page.goto('/signin');
    const form = page.locator('form').filter({ has: page.getByLabel('Tenant id or verified domain') });
    await expect(form).toHaveAttribute('action', '/auth/login');
    await expect(form).toHaveAttribute('method', 'get');
  });
});
