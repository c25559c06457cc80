import { readFileSync } from 'node:fs';
import { expect, Page, test } from '@playwright/test';
import { signIn } from './helpers';

function region(page: Page, name: string) {
  return page.getByRole('region', { name, exact: true });
}

// Opens /users and picks a signed-in tenant from the page's tenant links.
async function openUsers(page: Page, tenantName: string) {
  await page.goto('/users');
  await page.getByRole('navigation', { name: 'Tenants', exact: true }).getByRole('link', { name: tenantName, exact: true }).click();
  await expect(page.getByRole('img', { name: 'Users per segment' })).toBeVisible();
}

function segments(page: Page) {
  return page.getByRole('list', { name: 'Segments' });
}

// The UPNs of the list's rows on this page (the first cell after the name).
async function listedUpns(page: Page) {
  return region(page, 'Users').locator('tbody tr td:nth-child(2)').allTextContents();
}

test('in Fabrikam, Contoso synced users are MTO members by the exact method and Tailspin guests are outside', async ({ page }) => {
  // Contoso's sign-in lets the dashboard read its provisioning log: the exact method.
  await signIn(page, 'Contoso', 'admin@contoso.onmicrosoft.com');
  await signIn(page, 'Fabrikam', 'admin@fabrikam.onmicrosoft.com');
  await openUsers(page, 'Fabrikam');

  await expect(segments(page).getByRole('link', { name: 'Internal members: 311', exact: true })).toBeVisible();
  await expect(segments(page).getByRole('link', { name: 'MTO members: 60', exact: true })).toBeVisible();
  await expect(segments(page).getByRole('link', { name: 'MTO guests: 0', exact: true })).toBeVisible();
  await expect(segments(page).getByRole('link', { name: 'External members outside the MTO: 3' })).toBeVisible();
  await expect(segments(page).getByRole('link', { name: 'External guests outside the MTO: 10' })).toBeVisible();
  await expect(page.getByRole('img', { name: 'Users per segment' })).toHaveAccessibleDescription(/MTO members: 60/);

  const homes = region(page, 'Home tenants');
  await expect(homes.getByRole('row', { name: /^Contoso/ })).toContainText('in the MTO');
  await expect(homes.getByRole('link', { name: 'Contoso: 60 MTO members' })).toBeVisible();
  await expect(homes.getByRole('row', { name: /^Tailspin Toys/ })).toContainText('outside the MTO');
  await expect(homes.getByRole('link', { name: 'Tailspin Toys: 10 External guests outside the MTO' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'How home tenants of external users were found' })).toContainText('exact: 60');

  // Segment filter: 60 MTO members, all homed in Contoso, found exactly.
  await segments(page).getByRole('link', { name: 'MTO members: 60', exact: true }).click();
  const users = region(page, 'Users');
  await expect(users.getByRole('status')).toHaveText('60 of 385 users match');
  await expect(users.getByRole('list', { name: 'Filters in force' })).toContainText('Segment: MTO members');
  const rows = users.locator('tbody tr');
  await expect(rows).toHaveCount(50);
  for (const row of await rows.all()) {
    await expect(row).toContainText('MTO member');
    await expect(row.getByRole('link', { name: 'Contoso' })).toBeVisible();
    await expect(row).toContainText('exact');
  }
  await expect(users.getByRole('navigation', { name: 'Pages' })).toContainText('Page 1 of 2');
  await users.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Next' }).click();
  await expect(users.locator('tbody tr')).toHaveCount(10);
  await expect(users.getByRole('navigation', { name: 'Pages' })).toContainText('Page 2 of 2');
});

test('home tenant and segment filters combine, search narrows, and the CSV has the rows of the list', async ({ page }) => {
  await signIn(page, 'Contoso', 'admin@contoso.onmicrosoft.com');
  await signIn(page, 'Fabrikam', 'admin@fabrikam.onmicrosoft.com');
  await openUsers(page, 'Fabrikam');

  await region(page, 'Home tenants').getByRole('link', { name: 'Tailspin Toys', exact: true }).click();
  const users = region(page, 'Users');
  await expect(users.getByRole('status')).toHaveText('13 of 385 users match');
  await expect(users.getByRole('list', { name: 'Filters in force' })).toContainText('Home tenant: Tailspin Toys');
  for (const row of await users.locator('tbody tr').all()) {
    await expect(row).toContainText('Tailspin Toys');
    await expect(row).toContainText('domain');
  }

  await segments(page).getByRole('link', { name: /^External guests outside the MTO/ }).click();
  await expect(users.getByRole('status')).toHaveText('10 of 385 users match');
  await expect(users.locator('tbody tr')).toHaveCount(10);

  // Search within the filters: one of the guests by part of its UPN, any case.
  const someUpn = (await listedUpns(page))[0];
  const alias = someUpn.split('_')[0];
  await users.getByLabel('Search name, UPN or mail').fill(alias.toUpperCase());
  await users.getByRole('button', { name: 'Search' }).click();
  // Each demo alias is unique: exactly that guest.
  await expect(users.getByRole('status')).toHaveText('1 of 385 users match');
  for (const upn of await listedUpns(page)) {
    expect(upn.toLowerCase()).toContain(alias.toLowerCase());
  }

  // Clear the search, keep the filters: the CSV downloads the same rows as the list shows.
  await users.getByLabel('Search name, UPN or mail').fill('');
  await users.getByRole('button', { name: 'Search' }).click();
  await expect(users.getByRole('status')).toHaveText('10 of 385 users match');
  const shown = (await listedUpns(page)).sort();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    users.getByRole('link', { name: 'Export CSV' }).click(),
  ]);
  const csv = readFileSync(await download.path(), 'utf8');
  const lines = csv.split('\r\n').filter((line) => line.length > 0);
  expect(lines[0]).toBe('display_name,user_principal_name,mail,user_type,segment,home_tenant_id,home_tenant,home_method,show_in_address_list');
  const exported = lines.slice(1).map((line) => line.split('","')[1]).sort();
  expect(exported).toEqual(shown);
  for (const line of lines.slice(1)) {
    expect(line).toContain('"external guest outside the MTO"');
    expect(line).toContain('"Tailspin Toys","domain"');
  }

  // Removing a filter brings its users back.
  await users.getByRole('link', { name: 'Remove the filter home tenant Tailspin Toys' }).click();
  await expect(users.getByRole('list', { name: 'Filters in force' })).not.toContainText('Home tenant');
  await expect(region(page, 'Users').getByRole('status')).toHaveText('10 of 385 users match');
  await region(page, 'Users').getByRole('link', { name: 'Remove the filter segment External guests outside the MTO' }).click();
  await expect(region(page, 'Users').getByRole('status')).toHaveText('385 of 385 users match');
});

test('the helpdesk reads Contoso users: Woodgrove guests are MTO guests, Tailspin guests outside', async ({ page }) => {
  await signIn(page, 'Contoso', 'helpdesk@contoso.onmicrosoft.com');
  // Signed in to one tenant only: nothing to choose, straight to its segments.
  await page.goto('/users');
  await expect(page).toHaveURL(/\/users\?tenant=2f1d6a3e-8c4b-4f7a-9e21-5b3c7d9a0c11$/);
  await expect(page.getByRole('img', { name: 'Users per segment' })).toBeVisible();
  await expect(segments(page).getByRole('link', { name: 'Internal guests: 5' })).toBeVisible();
  await expect(segments(page).getByRole('link', { name: 'MTO members: 74' })).toBeVisible();
  await expect(segments(page).getByRole('link', { name: 'MTO guests: 9' })).toBeVisible();
  await expect(segments(page).getByRole('link', { name: 'External guests outside the MTO: 12' })).toBeVisible();
  await expect(region(page, 'Home tenants').getByRole('row', { name: /^Woodgrove Bank/ })).toContainText('in the MTO');
  // Read only: the only form is the search.
  await expect(page.getByRole('main').locator('form')).toHaveCount(1);
});

test('a tenant the session is not signed in to is refused with a way to sign in', async ({ page }) => {
  await signIn(page, 'Fabrikam', 'admin@fabrikam.onmicrosoft.com');
  const woodgrove = '4c8a2e6f-9b1d-4a3c-8e5f-7a9b1c3d5e33';
  await page.goto(`/users?tenant=${woodgrove}`);
  await expect(page.getByRole('main')).toContainText('Sign in to Woodgrove Bank to see its users.');
  await expect(page.getByRole('main').getByRole('link', { name: 'Sign in to Woodgrove Bank' })).toBeVisible();
  await page.goto('/users?tenant=not-a-tenant');
  await expect(page.getByRole('main')).toContainText('"not-a-tenant" is not a tenant id: expected a GUID');
});
