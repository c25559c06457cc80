import { expect, test } from '@playwright/test';
import { signIn } from './helpers';

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
});
