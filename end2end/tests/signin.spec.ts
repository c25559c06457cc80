import { expect, test } from '@playwright/test';
import { openSessions, sessions, signIn } from './helpers';

test('signing in to two tenants in one session, then out of one', async ({ page }) => {
  await signIn(page, 'Contoso', 'admin@contoso.onmicrosoft.com');
  await expect((await openSessions(page)).getByRole('listitem', { name: 'Contoso' })).toContainText('admin@contoso.onmicrosoft.com');
  await expect((await openSessions(page)).getByRole('listitem', { name: 'Contoso' })).toContainText('Global Administrator');

  await signIn(page, 'Fabrikam', 'admin@fabrikam.onmicrosoft.com');
  const fabrikam = (await openSessions(page)).getByRole('listitem', { name: 'Fabrikam' });
  await expect(fabrikam).toContainText('admin@fabrikam.onmicrosoft.com');
  await expect(fabrikam).toContainText('Security Administrator');
  await expect((await openSessions(page)).getByRole('listitem', { name: 'Contoso' })).toBeVisible();

  // Still signed in to both after a reload: the session lives on the server.
  await page.reload();
  await expect((await openSessions(page)).getByRole('listitem')).toHaveCount(2);

  await (await openSessions(page)).getByRole('button', { name: 'Sign out of Contoso' }).click();
  // The sign-out answers with a new page, its menu folded.
  await expect(sessions(page).locator('summary')).toContainText('Fabrikam');
  await expect((await openSessions(page)).getByRole('listitem', { name: 'Fabrikam' })).toBeVisible();
  await expect((await openSessions(page)).getByRole('listitem', { name: 'Contoso' })).toHaveCount(0);

  await page.reload();
  await expect((await openSessions(page)).getByRole('listitem')).toHaveCount(1);

  await (await openSessions(page)).getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(sessions(page)).toContainText('Not signed in to any tenant');
});

test('the session cookie is HttpOnly and SameSite=Lax, and tokens never reach the page', async ({ page, context }) => {
  await signIn(page, 'Woodgrove Bank', 'admin@woodgrovebank.onmicrosoft.com');
  const cookie = (await context.cookies()).find((c) => c.name === 'tenant_mesh_session');
  expect(cookie?.httpOnly).toBe(true);
  expect(cookie?.sameSite).toBe('Lax');
  const html = await page.content();
  expect(html).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ/);
});

test('an unknown domain is refused with a clear message', async ({ page }) => {
  await page.goto('/auth/login?tenant=nobody.example');
  await expect(page.getByRole('alert').filter({ hasText: 'No Microsoft Entra tenant was found' })).toBeVisible();
});
