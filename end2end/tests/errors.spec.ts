import { expect, test } from '@playwright/test';

test('an unknown address shows the not-found page with status 404', async ({ page }) => {
  const response = await page.goto('/no/such/page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Go to the tenant mesh' })).toBeVisible();
  // The shell around it is intact.
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
});

test('a tenant page for something that is not a tenant id is a 404 that says why', async ({ page }) => {
  const response = await page.goto('/tenants/not-a-guid');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1, name: 'No such tenant' })).toBeVisible();
  await expect(page.getByText('is not a tenant id')).toBeVisible();
});

test('security headers are present on pages', async ({ request }) => {
  const response = await request.get('/');
  const headers = response.headers();
  expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(headers['content-security-policy']).toMatch(/script-src 'self' 'nonce-[^']+' 'wasm-unsafe-eval'/);
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
});

test('static files carry security headers too and the bundle is served', async ({ request }) => {
  const css = await request.get('/pkg/tenant-mesh.css');
  expect(css.status()).toBe(200);
  expect(css.headers()['x-content-type-options']).toBe('nosniff');
  expect(css.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
  const wasm = await request.get('/pkg/tenant-mesh.wasm');
  expect(wasm.status()).toBe(200);
  expect(wasm.headers()['content-type']).toBe('application/wasm');
});
