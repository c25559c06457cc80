import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { openSessions, sessions, signIn } from './helpers';

// A second dashboard of our own (same release binary, its own port and database) that this spec
// stops and starts again: sessions live in SQLite and the demo emulator keeps its signing key beside
// the database, so a signed-in person stays signed in, and their tokens keep working, across a restart.
const port = 3102;
const baseURL = `http://127.0.0.1:${port}`;
const root = path.resolve(__dirname, '..', '..');
const binary = path.join(root, 'target', 'release', 'server');
const dataDir = mkdtempSync(path.join(tmpdir(), 'tenant-mesh-restart-'));

test.use({ baseURL });

function start(): ChildProcess {
  return spawn(binary, ['--addr', `127.0.0.1:${port}`], {
    env: {
      ...process.env,
      RUST_LOG: 'warn',
      // An absolute path: `sqlite:///tmp/…`.
      TENANTMESH_DATABASE_URL: `sqlite://${path.join(dataDir, 'tenant-mesh.sqlite')}`,
      TENANTMESH_SITE_ROOT: path.join(root, 'target', 'site'),
    },
    stdio: 'inherit',
  });
}

async function ready() {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${baseURL}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the second dashboard at ${baseURL} did not become ready`);
}

async function stop(server: ChildProcess) {
  if (server.exitCode !== null) return;
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  // Graceful shutdown normally takes milliseconds; never hang the suite on it.
  const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

let server: ChildProcess;

test.beforeAll(async () => {
  server = start();
  await ready();
});

test.afterAll(async () => {
  await stop(server);
  rmSync(dataDir, { recursive: true, force: true });
});

test('still signed in, with working tokens, after the server restarts', async ({ page }) => {
  await signIn(page, 'Contoso', 'admin@contoso.onmicrosoft.com');
  await signIn(page, 'Fabrikam', 'admin@fabrikam.onmicrosoft.com');
  await expect((await openSessions(page)).getByRole('listitem')).toHaveCount(2);

  await stop(server);
  server = start();
  await ready();

  await page.goto('/');
  await expect((await openSessions(page)).getByRole('listitem', { name: 'Contoso' })).toContainText('Global Administrator');
  await expect((await openSessions(page)).getByRole('listitem', { name: 'Fabrikam' })).toContainText('Security Administrator');
  // The mesh is read with the tokens held before the restart: no "sign in again".
  const tenants = page.getByRole('region', { name: 'Tenants', exact: true });
  await expect(tenants.getByRole('row', { name: /Contoso/ })).toContainText('owner');
  await expect(tenants.getByRole('row', { name: /Fabrikam/ })).toContainText('active');
  await expect(page.getByText('The sign-in has expired')).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Sign in again' })).toHaveCount(0);
});
