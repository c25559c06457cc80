import { expect, Page, test } from '@playwright/test';
import { signIn } from './helpers';

const CONTOSO = '2f1d6a3e-8c4b-4f7a-9e21-5b3c7d9a0c11';
const FABRIKAM = '7b9e4c2d-1a3f-4e8b-a5c6-0d2e4f6a8b22';
const WOODGROVE = '4c8a2e6f-9b1d-4a3c-8e5f-7a9b1c3d5e33';

// This spec fixes and restarts the demo's quarantined job; it puts the demo data back when done.
test.afterAll(async ({ request, baseURL }) => {
  const reset = await request.post('/demo/reset', { headers: { origin: baseURL ?? '' } });
  expect(reset.status()).toBe(204);
});

function section(page: Page, from: string, to: string) {
  return page.getByRole('region', { name: `Sync ${from} → ${to}` });
}

test('the Fabrikam operator sees the Contoso ⇄ Fabrikam jobs healthy, with mappings and log', async ({ page }) => {
  await signIn(page, 'Fabrikam', 'ops@fabrikam.onmicrosoft.com');
  await signIn(page, 'Contoso', 'admin@contoso.onmicrosoft.com');
  await page.goto('/sync');
  const list = page.locator('table.sync-list');
  await expect(list.getByRole('row', { name: /Fabrikam → Contoso/ })).toContainText('healthy');
  await expect(list.getByRole('row', { name: /Contoso → Fabrikam/ })).toContainText('healthy');
  await expect(list.getByRole('row', { name: /Fabrikam → Contoso/ })).toContainText('Active');

  await list.getByRole('link', { name: 'Fabrikam → Contoso' }).click();
  const sync = section(page, 'Fabrikam', 'Contoso');
  await expect(sync.locator('.sync-status')).toHaveText('Active');
  await expect(sync.getByRole('group', { name: 'Status explained' })).toContainText('Nothing to do.');
  const mappings = sync.getByRole('group', { name: 'Attribute mappings' });
  const userType = mappings.getByRole('row', { name: /userType/ });
  await expect(userType).toContainText('"Member"');
  // The demo applies Fabrikam → Contoso's userType on create only (emulator::demo_people): said.
  await expect(userType).toContainText('users who were already guests stay guests');
  // The operator of the source may operate it…
  await expect(sync.getByRole('button', { name: 'Restart', exact: true })).toBeVisible();
  // …but a Hybrid Identity Administrator may not read provisioning logs (Permissions section of
  // microsoftgraph/microsoft-graph-docs-contrib
  // api-reference/v1.0/api/provisioningobjectsummary-list.md): said plainly.
  await expect(sync).toContainText('Your role in Fabrikam cannot see the provisioning log');

  // The other direction's job and log, read with the Contoso sign-in.
  await page.goto(`/pairs/${CONTOSO}/${FABRIKAM}`);
  const back = section(page, 'Contoso', 'Fabrikam');
  await expect(back.locator('.sync-status')).toHaveText('Active');
  await expect(back.getByRole('group', { name: 'Attribute mappings' }).getByRole('row', { name: /showInAddressList/ })).toContainText('"true"');
  // Its scope is a group, by name, with what nesting means for it.
  const scope = back.getByRole('group', { name: 'Scope' });
  await expect(scope.getByRole('list', { name: 'Assigned' })).toHaveText('Contoso – Group sync (group)');
  await expect(scope).toContainText('members of a group nested inside it are not synced');
  const log = back.getByRole('group', { name: 'Provisioning log' });
  await expect(log.locator('tbody tr').first()).toContainText('success');
});

test('the sync list filters by status in the address bar', async ({ page }) => {
  await signIn(page, 'Woodgrove Bank', 'admin@woodgrovebank.onmicrosoft.com');
  await signIn(page, 'Contoso', 'admin@contoso.onmicrosoft.com');
  await page.goto('/sync?status=Quarantine');
  const rows = page.locator('table.sync-list tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('Woodgrove Bank → Fabrikam');
  await expect(rows.first()).toContainText('is quarantined');
  await page.goto('/sync');
  await expect(page.locator('table.sync-list tbody tr').first()).toContainText('Woodgrove Bank → Fabrikam');
});

// The operator forms say what they did with JavaScript (answered in the page) and without (after
// the form's redirect).
test('Woodgrove → Fabrikam: explained, fixed by Fabrikam, restarted by Woodgrove, then syncing', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, 'Woodgrove Bank', 'admin@woodgrovebank.onmicrosoft.com');
  await signIn(page, 'Fabrikam', 'admin@fabrikam.onmicrosoft.com');
  await page.goto(`/pairs/${WOODGROVE}/${FABRIKAM}`);
  const sync = section(page, 'Woodgrove Bank', 'Fabrikam');
  await expect(sync.locator('.sync-status')).toHaveText('Quarantine');
  const explained = sync.getByRole('group', { name: 'Status explained' });
  await expect(explained).toContainText('AzureDirectoryB2BManagementPolicyCheckFailure');
  await expect(explained).toContainText('Fabrikam must allow inbound user sync from Woodgrove Bank');
  await expect(explained).toContainText('four weeks');

  const fix = sync.getByRole('group', { name: 'Allow users of Woodgrove Bank to be synchronized into Fabrikam' });
  await expect(fix.locator('pre.call')).toContainText(`/partners/${WOODGROVE}/identitySynchronization`);
  await expect(fix.locator('pre.call')).toContainText('"isSyncAllowed": true');
  await fix.getByRole('button', { name: 'Apply in Fabrikam' }).click();
  await expect(sync.getByRole('status').filter({ hasText: 'Done in Fabrikam' })).toBeVisible();
  // Then the second blocker, automatic redemption in Fabrikam, is what is left to fix.
  const redemption = sync.getByRole('group', { name: "Redeem invitations of Woodgrove Bank's users automatically in Fabrikam" });
  await expect(redemption.locator('pre.call')).toContainText('"inboundAllowed": true');
  await redemption.getByRole('button', { name: 'Apply in Fabrikam' }).click();
  await expect(sync.getByRole('group', { name: 'Suggested fixes' })).toHaveCount(0);

  await sync.getByRole('button', { name: 'Restart', exact: true }).click();
  await expect(sync.getByRole('status').filter({ hasText: 'Restarted' })).toBeVisible();

  // The emulator runs the restarted job's next cycle about 20 s later: users arrive in Fabrikam.
  await expect
    .poll(
      async () => {
        await page.reload();
        const synced = section(page, 'Woodgrove Bank', 'Fabrikam').locator('dt:has-text("Users synchronized") + dd');
        return Number((await synced.textContent()) ?? '0');
      },
      { timeout: 75_000, intervals: [3_000] },
    )
    .toBeGreaterThan(0);
  await expect(section(page, 'Woodgrove Bank', 'Fabrikam').locator('.sync-status')).toHaveText('Active');

  await page.goto('/');
  await expect(page.getByRole('region', { name: 'Findings', exact: true })).not.toContainText('Woodgrove Bank → Fabrikam');
});

test('provision on demand of one Contoso user to Fabrikam shows its steps', async ({ page }) => {
  await signIn(page, 'Contoso', 'admin@contoso.onmicrosoft.com');
  await page.goto(`/pairs/${CONTOSO}/${FABRIKAM}`);
  const operate = section(page, 'Contoso', 'Fabrikam').getByRole('group', { name: 'Operate the job' });
  await operate.getByLabel('Find a user by name or user principal name').fill('ad');
  await operate.getByRole('button', { name: 'Find' }).click();
  const found = operate.getByRole('list', { name: 'Users found' });
  await expect(found.getByRole('listitem').first()).toBeVisible();
  await found.getByRole('button', { name: /^Provision / }).first().click();
  const steps = operate.getByRole('list', { name: 'Provisioning steps' });
  await expect(steps.getByRole('listitem').first()).toBeVisible();
  await expect(steps).toContainText('scoping');
});
