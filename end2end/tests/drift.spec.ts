import { APIRequestContext, expect, Page, test } from '@playwright/test';
import { signIn } from './helpers';

// /drift as Contoso's Global Administrator: a snapshot accepted as the baseline, a partner setting
// changed behind the dashboard's back (straight through the demo emulator's Graph, app-only), the
// drift it shows, accepted into the baseline; and a teardown dry run for Tailspin Toys, which is
// not in the organization but still has a partner configuration in Contoso (emulator::policy_state).

const CONTOSO = '2f1d6a3e-8c4b-4f7a-9e21-5b3c7d9a0c11';
const FABRIKAM = '7b9e4c2d-1a3f-4e8b-a5c6-0d2e4f6a8b22';
const TAILSPIN = '1a5c7e9b-3d2f-4c8a-b6e4-8f0a2c4e6a55';
const ADMIN = 'admin@contoso.onmicrosoft.com';
// The demo app registration (README, "Demo accounts"): the emulator accepts nothing else.
const CLIENT_ID = '3f1c2b9e-6a7d-4e8f-9b0a-5c4d3e2f1a0b';
const CLIENT_SECRET = 'demo-secret-not-for-production';

// This spec changes Contoso's partner configuration for Fabrikam; it puts the demo data back when done.
test.afterAll(async ({ request, baseURL }) => {
  const reset = await request.post('/demo/reset', { headers: { origin: baseURL ?? '' } });
  expect(reset.status()).toBe(204);
});

/** The built-in emulator's address: where the dashboard sends a sign-in to start. */
async function emulatorOrigin(request: APIRequestContext): Promise<string> {
  const start = await request.get(`/auth/login?tenant=${CONTOSO}`, { maxRedirects: 0 });
  const location = start.headers()['location'];
  expect(location, `GET /auth/login answered ${start.status()} without a redirect`).toBeTruthy();
  return new URL(location).origin;
}

/** A change made in Contoso without the dashboard: an app-only token, then Graph's partner PATCH. */
async function changeOutOfBand(request: APIRequestContext, body: object) {
  const emulator = await emulatorOrigin(request);
  const token = await request.post(`${emulator}/${CONTOSO}/oauth2/v2.0/token`, {
    form: {
      grant_type: 'client_credentials',
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      scope: 'https://graph.microsoft.com/.default',
    },
  });
  expect(token.ok(), await token.text()).toBeTruthy();
  const { access_token: accessToken } = await token.json();
  const patch = await request.patch(`${emulator}/v1.0/policies/crossTenantAccessPolicy/partners/${FABRIKAM}`, {
    headers: { authorization: `Bearer ${accessToken}` },
    data: body,
  });
  expect(patch.status(), await patch.text()).toBe(204);
}

function region(page: Page, name: string) {
  return page.getByRole('region', { name, exact: true });
}

test('a partner setting changed out of band shows as drift and is accepted into the baseline', async ({ page, request }) => {
  test.setTimeout(90_000);
  await signIn(page, 'Contoso', ADMIN);
  await page.goto('/drift');
  await expect(page.getByRole('heading', { level: 1, name: 'Configuration drift' })).toBeVisible();

  // A snapshot now, accepted as the baseline (the list is newest first; earlier runs left others).
  const snapshots = region(page, 'Snapshots');
  const rows = snapshots.locator('table.snapshots tbody tr');
  const before = await rows.count();
  await snapshots.getByRole('button', { name: 'Take a snapshot now' }).click();
  await expect(rows).toHaveCount(before + 1);
  const newest = rows.first();
  await newest.getByRole('button', { name: 'Accept as baseline' }).click();
  await expect(newest.getByRole('rowheader')).toContainText('baseline');
  const drift = region(page, 'Drift from the baseline');
  await expect(drift).toContainText('No drift: the live configuration matches the baseline');
  // Its export is offered as a download.
  await expect(newest.getByRole('link', { name: 'Export JSON' })).toHaveAttribute('href', /^\/drift\/snapshots\/\d+\.json$/);

  // Contoso starts trusting Fabrikam's MFA, made straight in Graph.
  await changeOutOfBand(request, {
    inboundTrust: { isMfaAccepted: true, isCompliantDeviceAccepted: false, isHybridAzureADJoinedDeviceAccepted: false },
  });

  const changes = drift.getByRole('table', { name: 'Changes in Contoso' });
  const item = changes.getByRole('row').filter({ hasText: 'inboundTrust' });
  await expect(async () => {
    await page.goto('/drift');
    await expect(item).toHaveCount(1, { timeout: 2_000 });
  }).toPass({ timeout: 30_000, intervals: [1_000, 2_000, 3_000] });
  await expect(changes).toContainText('partner configuration');
  await expect(item).toContainText('isMfaAccepted');
  // What restoring it would send, before anything is sent.
  await item.getByText('Restore…').click();
  await expect(item.locator('pre.call')).toContainText(`/policies/crossTenantAccessPolicy/partners/${FABRIKAM}`);
  await expect(item.getByRole('button', { name: 'Make this change in Contoso' })).toBeVisible();

  await item.getByRole('button', { name: 'Accept into baseline' }).click();
  await expect(drift).toContainText('No drift: the live configuration matches the baseline');
  await page.reload();
  await expect(drift).toContainText('No drift: the live configuration matches the baseline');
});

test('an exported snapshot uploaded again is compared with live; a file that is not one is refused', async ({ page }) => {
  await signIn(page, 'Contoso', ADMIN);
  await page.goto('/drift');
  const snapshots = region(page, 'Snapshots');
  const rows = snapshots.locator('table.snapshots tbody tr');
  if ((await rows.count()) === 0) {
    await snapshots.getByRole('button', { name: 'Take a snapshot now' }).click();
    await expect(rows).toHaveCount(1);
  }
  const href = await rows.first().getByRole('link', { name: 'Export JSON' }).getAttribute('href');
  const exported = await page.request.get(href ?? '');
  expect(exported.ok()).toBeTruthy();
  const json = await exported.text();
  expect(JSON.parse(json).format).toBe('tenant-mesh/snapshot@1');

  const upload = region(page, 'Import');
  await upload.getByLabel('or paste the JSON').fill(json);
  await upload.getByRole('button', { name: 'Upload and compare with live' }).click();
  await expect(page).toHaveURL(/\/drift\?compare=\d+$/);
  await expect(page.getByRole('heading', { level: 2, name: /^Drift from snapshot #\d+$/ })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Back to the baseline' })).toBeVisible();

  await region(page, 'Import').getByLabel('or paste the JSON').fill('{"format": "something else"}');
  await region(page, 'Import').getByRole('button', { name: 'Upload and compare with live' }).click();
  await expect(page).toHaveURL(/\/drift\?error=/);
  await expect(page.getByRole('alert')).toContainText('tenant-mesh/snapshot@1');
});

test('a teardown dry run for Tailspin Toys lists what remains in Contoso, changing nothing', async ({ page }) => {
  await signIn(page, 'Contoso', ADMIN);
  await page.goto('/drift');
  const teardown = region(page, 'Teardown assistant');
  await teardown.getByLabel('Tenant id').fill(TAILSPIN);
  await teardown.getByRole('button', { name: 'Show the plan (dry run)' }).click();
  await expect(page).toHaveURL(new RegExp(`/drift\\?teardown=${TAILSPIN}`));

  await expect(teardown.getByRole('heading', { name: 'Teardown plan for Tailspin Toys' })).toBeVisible();
  await expect(teardown).toContainText('Membership:');
  const steps = teardown.getByRole('list', { name: 'Teardown steps' });
  const partner = steps.getByRole('listitem').filter({ hasText: "Delete Contoso's partner configuration for Tailspin Toys" });
  await expect(partner.locator('pre.call')).toContainText(`DELETE /policies/crossTenantAccessPolicy/partners/${TAILSPIN}`);
  // Contoso's Global Administrator may make it; a dry run makes nothing.
  await expect(partner.getByRole('button', { name: 'Make this step' })).toBeVisible();
  await page.reload();
  await expect(partner).toBeVisible();
});
