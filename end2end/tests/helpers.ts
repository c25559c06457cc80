import { expect, Locator, Page } from '@playwright/test';

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

// The signed-in tenants fold into one menu in the header (a <details>, so it opens without
// JavaScript too): opens it when closed and returns the region.
export async function openSessions(page: Page) {
  const region = sessions(page);
  const menu = region.locator('details.session-switcher');
  await expect(menu).toBeVisible();
  if (!(await menu.evaluate((d) => (d as HTMLDetailsElement).open))) {
    await menu.locator('summary').click();
  }
  await expect(menu).toHaveAttribute('open', '');
  return region;
}

// The pair matrix (a grid with one tab stop): Tab from the top of the page until a cell of the
// grid has the focus, then walk it with the arrow keys row by row until the focused cell's pair
// matches `pattern`. Keyboard only; returns that pair's label.
// `from`: the element to start tabbing from (default: the top of the page).
export async function findInMatrixByKeyboard(page: Page, pattern: RegExp, from?: Locator): Promise<string> {
  const focused = () =>
    page.evaluate(() => {
      const cell = document.activeElement;
      const grid = cell?.closest('[role="grid"]');
      return {
        inGrid: !!grid && cell?.tagName === 'TD',
        label: cell?.querySelector('a')?.getAttribute('title') ?? '',
        rows: grid?.querySelectorAll('tbody tr').length ?? 0,
      };
    });
  // The arrow keys work once the page's island runs (it marks the header `hydrated`).
  await expect(page.locator('header.site-header.hydrated')).toHaveCount(1, { timeout: 30_000 });
  await (from ?? page.locator('body')).focus();
  let here = await focused();
  for (let presses = 0; !here.inGrid && presses < 80; presses++) {
    await page.keyboard.press('Tab');
    here = await focused();
  }
  expect(here.inGrid, 'Tab reaches the pair matrix').toBe(true);
  for (let row = 0; row < here.rows; row++) {
    await page.keyboard.press('Home');
    for (let column = 0; column < here.rows; column++) {
      const cell = await focused();
      if (pattern.test(cell.label)) return cell.label;
      await page.keyboard.press('ArrowRight');
    }
    await page.keyboard.press('ArrowDown');
  }
  throw new Error(`no cell of the pair matrix matches ${pattern}`);
}
