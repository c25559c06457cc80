import { expect, Page, test } from '@playwright/test';
import { signIn } from './helpers';

// "Why can't Bob see Alice?" as the helpdesk works it: Contoso's Helpdesk Administrator, with
// Fabrikam's sync operator signed in too (both read-only here: diagnosing makes no change). Two
// of the demo's named people (emulator/src/demo_people.rs): Nadia Petrova, in a group nested in
// the assigned one, and Marco Bianchi, hidden from Contoso's address list.

function step(page: Page, name: string | RegExp) {
  return page.getByRole('region', { name });
}

async function findPerson(page: Page, tenant: string, text: string, name: string) {
  await page.goto('/diagnose');
  await expect(page.getByRole('heading', { level: 1, name: 'Diagnose' })).toBeVisible();
  const who = step(page, '1. Who cannot be found?');
  await who.getByLabel('In tenant').selectOption({ label: tenant });
  await who.getByLabel('Name, UPN or mail starts with').fill(text);
  await who.getByRole('button', { name: 'Find' }).click();
  await who.getByRole('list', { name: 'People found' }).getByRole('link', { name, exact: true }).click();
  await expect(step(page, `2. Where should ${name} be visible?`)).toBeVisible();
}

function verdict(page: Page) {
  return page.getByRole('status', { name: 'Verdict' });
}

function line(page: Page, key: string) {
  return page.locator(`li.check[data-check="${key}"]`);
}

test('the helpdesk finds why Nadia is not synced: a nested group', async ({ page }) => {
  await signIn(page, 'Contoso', 'helpdesk@contoso.onmicrosoft.com');
  await signIn(page, 'Fabrikam', 'ops@fabrikam.onmicrosoft.com');
  await findPerson(page, 'Fabrikam', 'Nadia', 'Nadia Petrova');
  await step(page, /^2\. Where should/).getByRole('navigation', { name: 'Tenants to diagnose for' }).getByRole('link', { name: 'Contoso', exact: true }).click();

  await expect(page).toHaveURL(/\/diagnose\?tenant=7b9e4c2d-1a3f-4e8b-a5c6-0d2e4f6a8b22&user=[0-9a-f-]+&target=2f1d6a3e-8c4b-4f7a-9e21-5b3c7d9a0c11/);
  await expect(page.getByRole('heading', { level: 2, name: "Why can't Nadia Petrova (Fabrikam) be found in Contoso?" })).toBeVisible();
  await expect(verdict(page)).toContainText('blocking');
  await expect(verdict(page)).toContainText('is in Fabrikam – Engineering only through Fabrikam – Engineering contractors');
  await expect(verdict(page)).toContainText('In Fabrikam, as Groups Administrator or User Administrator.');
  // What the helpdesk's roles may not read is said, never shown as a failure or an ok.
  await expect(line(page, 'log.latest')).toContainText('unknown');
  await expect(line(page, 'log.latest')).toContainText("Your role in Fabrikam cannot read Fabrikam's provisioning log");
  await expect(line(page, 'sync.job')).toContainText('ok');
  await expect(line(page, 'scope.assignment')).toContainText('blocking');
  // Where each line comes from.
  await expect(line(page, 'scope.assignment').locator('details.reads')).toContainText('Fabrikam: GET /users/');
});

test('the helpdesk finds why Ben cannot find Marco: hidden from the address list', async ({ page }) => {
  await signIn(page, 'Contoso', 'helpdesk@contoso.onmicrosoft.com');
  await signIn(page, 'Fabrikam', 'ops@fabrikam.onmicrosoft.com');
  await findPerson(page, 'Fabrikam', 'marco', 'Marco Bianchi');
  // The second way: the person who cannot find him, whose tenant is then the target.
  const where = step(page, /^2\. Where should/);
  await where.getByLabel('Or who cannot find them, in').selectOption({ label: 'Contoso' });
  // By UPN: Contoso also has the Ben Vances that Fabrikam and Woodgrove Bank sync in.
  await where.getByLabel('Name, UPN or mail starts with').fill('ben.vance@contoso');
  await where.getByRole('button', { name: 'Find' }).click();
  const viewers = where.getByRole('list', { name: 'Viewers found' });
  await expect(viewers.getByRole('listitem')).toHaveCount(1);
  await viewers.getByRole('link', { name: 'Ben Vance', exact: true }).click();

  await expect(page.getByRole('heading', { level: 2, name: "Why can't Ben Vance (Contoso) find Marco Bianchi (Fabrikam)?" })).toBeVisible();
  await expect(verdict(page)).toContainText("is hidden from Contoso's address list (showInAddressList false)");
  await expect(verdict(page)).toContainText('In Contoso, as User Administrator or Global Administrator.');
  await expect(line(page, 'target.address_list')).toContainText('blocking');
  await expect(line(page, 'target.user_type')).toContainText('ok');
  // The diagnosis can be linked.
  const link = page.getByRole('link', { name: 'Link to this diagnosis' });
  await expect(link).toHaveAttribute('href', /viewer_tenant=2f1d6a3e-8c4b-4f7a-9e21-5b3c7d9a0c11&viewer=/);
});
