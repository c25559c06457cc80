import { expect, Page, test } from '@playwright/test';
import { findInMatrixByKeyboard, signIn } from './helpers';

const WOODGROVE = '4c8a2e6f-9b1d-4a3c-8e5f-7a9b1c3d5e33';
const FABRIKAM = '7b9e4c2d-1a3f-4e8b-a5c6-0d2e4f6a8b22';

function region(page: Page, name: string) {
  return page.getByRole('region', { name, exact: true });
}

test('signed in to Contoso and Fabrikam, the mesh shows every tenant, Woodgrove Bank as the monitor read it, and its quarantine', async ({ page }) => {
  await signIn(page, 'Contoso', 'admin@contoso.onmicrosoft.com');
  await signIn(page, 'Fabrikam', 'admin@fabrikam.onmicrosoft.com');

  const tenants = region(page, 'Tenants');
  await expect(tenants.getByRole('row', { name: /Contoso/ })).toContainText('owner');
  await expect(tenants.getByRole('row', { name: /Contoso/ })).toContainText('active');
  await expect(tenants.getByRole('row', { name: /Fabrikam/ })).toContainText('active');
  // Not signed in to Woodgrove Bank: its own side is the app-only monitor's last reading, with its age.
  await expect(tenants.getByRole('row', { name: /Woodgrove Bank/ })).toContainText(/read by the monitor \d+ (s|min|h)/);
  await expect(region(page, 'What could not be read')).toContainText('Read by the monitor');
  await expect(tenants.getByRole('row', { name: /Northwind Traders/ })).toContainText('pending');
  await expect(tenants.getByRole('row', { name: /Tailspin Toys/ })).toContainText('not in the MTO');
  await expect(page.getByRole('list', { name: 'Tenant counts' })).toContainText('3 active');

  const findings = region(page, 'Findings');
  const quarantine = findings.getByRole('listitem').filter({ hasText: 'Sync Woodgrove Bank → Fabrikam is quarantined' });
  await expect(quarantine).toContainText('Policy permitting auto-redemption of invitations not configured');
  await expect(findings.getByRole('listitem').filter({ hasText: 'Northwind Traders was added but has not joined' })).toBeVisible();

  // The picture: one link per tenant, one per direction of each pair.
  const picture = page.getByRole('group', { name: /Tenants of the multitenant organization/ });
  await expect(picture).toBeVisible();

  await page.goto(`/pairs/${WOODGROVE}/${FABRIKAM}`);
  await expect(page.getByRole('heading', { level: 1, name: /Woodgrove Bank ⇄ Fabrikam/ })).toBeVisible();
  const settings = region(page, 'Cross-tenant access settings, both sides');
  const inboundSync = settings.getByRole('row', { name: /Inbound sync from the partner/ });
  await expect(inboundSync.getByRole('cell').nth(1)).toHaveText('not allowed');
  await expect(inboundSync.getByRole('cell').nth(0)).not.toHaveText('unknown (not signed in)');
  await expect(page.getByRole('region', { name: 'Woodgrove Bank → Fabrikam', exact: true })).toContainText('does not allow users of Woodgrove Bank');
});

test('signed in to Woodgrove Bank, the quarantine itself is shown with its error', async ({ page }) => {
  await signIn(page, 'Woodgrove Bank', 'admin@woodgrovebank.onmicrosoft.com');
  await signIn(page, 'Fabrikam', 'admin@fabrikam.onmicrosoft.com');
  const quarantine = region(page, 'Findings').getByRole('listitem').filter({ hasText: 'Sync Woodgrove Bank → Fabrikam is quarantined' });
  await expect(quarantine).toContainText('Policy permitting auto-redemption of invitations not configured');
  await page.goto('/');
  await expect(region(page, 'Pairs').getByRole('row', { name: /Woodgrove Bank ⇄ Fabrikam|Fabrikam ⇄ Woodgrove Bank/ })).toContainText('Quarantined');
});

test('the helpdesk sees what its role may read, why not the rest, and no write control', async ({ page }) => {
  await signIn(page, 'Contoso', 'helpdesk@contoso.onmicrosoft.com');
  const tenants = region(page, 'Tenants');
  // Helpdesk Administrator reads the MTO's basic attributes only: active tenants, no pending one.
  await expect(tenants.getByRole('row', { name: /Woodgrove Bank/ })).toContainText('active');
  await expect(tenants.getByRole('row', { name: /Northwind Traders/ })).toHaveCount(0);
  await expect(page.getByText(/Your role in Contoso cannot see the member tenants, .* or the join request \(needs Security Reader/)).toBeVisible();
  const main = page.getByRole('main');
  // The only form reads (the pair matrix's options, a GET); no button writes.
  await expect(main.locator('form:not([method="get"])')).toHaveCount(0);
  await expect(main.getByRole('button')).toHaveText(['Apply']);
  // Reading Graph now is a link to the same page (`?refresh=1`), not a write.
  await expect(main.getByRole('link', { name: 'Refresh now' })).toHaveAttribute('href', /refresh=1/);
  await tenants.getByRole('link', { name: 'Fabrikam' }).click();
  await expect(page.getByRole('heading', { level: 1, name: /Fabrikam/ })).toBeVisible();
  await expect(page.getByRole('main').locator('form')).toHaveCount(0);
});

test('the pair matrix: a cell per direction, filtered to the problems, the quarantine found by keyboard', async ({ page }, testInfo) => {
  await signIn(page, 'Contoso', 'admin@contoso.onmicrosoft.com');
  await signIn(page, 'Woodgrove Bank', 'admin@woodgrovebank.onmicrosoft.com');
  const grid = page.getByRole('grid', { name: /Pair matrix/ });
  await expect(grid.getByRole('rowheader')).toHaveText(['Contoso', 'Fabrikam', 'Northwind Traders', 'Woodgrove Bank', 'Tailspin Toys']);
  await expect(grid.getByRole('link', { name: /^Woodgrove Bank → Fabrikam: Quarantined.*sync quarantined; settings block sync/ })).toHaveCount(1);
  await expect(grid.getByRole('link', { name: /^Contoso → Fabrikam: Syncing.*sync running; settings allow sync/ })).toHaveCount(1);
  await expect(page.getByText(/directions with settings or sync: 1 with errors/)).toBeVisible();

  // Only the tenants with problems, worst first: a plain GET form, so it works without JavaScript.
  await page.getByLabel('Show').selectOption('problems');
  await page.getByLabel('Order').selectOption('health');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/show=problems/);
  await expect(grid.getByRole('rowheader')).toHaveText(['Fabrikam', 'Woodgrove Bank']);
  await expect(page.getByText(/3 tenants without problems are hidden/)).toBeVisible();

  test.skip(testInfo.project.name === 'no-js', 'moving in the grid with the arrow keys needs JavaScript');
  const label = await findInMatrixByKeyboard(page, /Quarantined/);
  expect(label).toMatch(/^Woodgrove Bank → Fabrikam/);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/pairs/${WOODGROVE}/${FABRIKAM}`));
});

test('a pair or tenant address that is not a tenant id says so', async ({ page }) => {
  await page.goto('/pairs/contoso/fabrikam');
  await expect(page.getByRole('heading', { name: 'No such tenant' })).toBeVisible();
});
