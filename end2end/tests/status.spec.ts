import { expect, Page, test } from '@playwright/test';
import { signIn } from './helpers';

function region(page: Page, name: string) {
  return page.getByRole('region', { name, exact: true });
}

// The demo server starts the app-only monitor; its first run ends shortly after start (and a run
// after `/demo/reset` reopens what the reset brought back). Reload the board until the quarantine is
// among its open findings, within a bound.
async function waitForOpenFinding(page: Page, title: string) {
  const finding = region(page, 'Open findings').getByRole('listitem').filter({ hasText: title });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if ((await finding.count()) > 0) return finding;
    await page.waitForTimeout(2_000);
    await page.reload();
  }
  await expect(finding).toBeVisible();
  return finding;
}

test('the helpdesk signed in to Contoso only sees Woodgrove Bank → Fabrikam quarantined on /status, with its age, and no write control', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, 'Contoso', 'helpdesk@contoso.onmicrosoft.com');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Status', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Status' })).toBeVisible();
  await expect(page).toHaveURL(/\/status$/);

  const quarantine = await waitForOpenFinding(page, 'Sync Woodgrove Bank → Fabrikam is quarantined');
  await expect(quarantine).toContainText(/Open for \d+ (s|min|h)/);
  await expect(quarantine).toContainText('error');

  // The last run read every tenant of the organization app-only, the ones the helpdesk is not signed in to included.
  const lastRun = region(page, 'Last run');
  await expect(lastRun).toContainText(/Started .* Graph requests/);
  await expect(lastRun.getByRole('row', { name: 'Woodgrove Bank read', exact: true })).toBeVisible();
  await expect(lastRun.getByRole('row', { name: 'Fabrikam read', exact: true })).toBeVisible();

  // Every tenant and pair, health at a glance.
  await expect(region(page, 'Tenants').getByRole('row', { name: /Woodgrove Bank/ })).toContainText('active');
  await expect(region(page, 'Pairs').getByRole('row', { name: /Woodgrove Bank ⇄ Fabrikam|Fabrikam ⇄ Woodgrove Bank/ })).toContainText('Quarantined');
  await expect(region(page, 'Cleared recently')).toBeVisible();
  await expect(region(page, 'Alert deliveries')).toBeVisible();

  // Read-only.
  const main = page.getByRole('main');
  // The only form reads (the pair matrix's options, a GET); no button writes.
  await expect(main.locator('form:not([method="get"])')).toHaveCount(0);
  await expect(main.getByRole('button')).toHaveText(['Apply']);
  // Reading Graph now is a link to the same page (`?refresh=1`), not a write.
  await expect(main.getByRole('link', { name: 'Refresh now' })).toHaveAttribute('href', /refresh=1/);
});

test('without a sign-in, /status asks for one', async ({ page }) => {
  await page.goto('/status');
  await expect(page.getByRole('heading', { level: 1, name: 'Status' })).toBeVisible();
  await expect(page.getByText('Sign in to at least one tenant of your multitenant organization to see the status board.')).toBeVisible();
  await expect(page.getByRole('main').getByRole('link', { name: 'Sign in to a tenant' })).toBeVisible();
});
