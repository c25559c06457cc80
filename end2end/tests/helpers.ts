import { expect, Page } from '@playwright/test';

// The demo scenario's tenants and accounts (design.md); the emulator's sign-in page lists each
// tenant's accounts as buttons labelled with the UPN. Signing in lands on the mesh page.
export async function signIn(page: Page, tenantName: string, upn: string) {
  await page.goto('/signin');
  await page.getByRole('link', { name: `Sign in to ${tenantName}` }).click();
  await expect(page.getByRole('heading', { name: 'Pick an account' })).toBeVisible();
  await page.getByRole('button', { name: upn, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Tenant mesh' })).toBeVisible();
}

export function sessions(page: Page) {
  return page.getByRole('region', { name: 'Signed-in tenants' });
}
