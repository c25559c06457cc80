import { defineConfig } from '@playwright/test';
import os from 'node:os';
import path from 'node:path';

// Browsers are never downloaded: the system Chromium is used (see scripts/setup.sh).
const chromium = process.env.TENANTMESH_CHROMIUM ?? '/usr/bin/chromium';
// The demo server, which `cargo leptos end-to-end` starts (scripts/test.sh).
const baseURL = process.env.TENANTMESH_BASE_URL ?? 'http://127.0.0.1:3000';

// A second server, started here, for the `scale` project: the same built binary with the
// 100-tenant scale scenario (README "Running", `--scenario`), on its own port, with a throwaway
// SQLite database in a temporary folder emptied at each start. TENANTMESH_SERVER_BIN picks another
// build (relative to end2end/), e.g. `TENANTMESH_SERVER_BIN=../target/debug/server` after
// `cargo leptos build`.
const scaleAddr = '127.0.0.1:3100';
const scaleURL = `http://${scaleAddr}`;
const scaleScenario = 'scale:100:50';
const repoRoot = path.resolve(__dirname, '..');
const serverBin = path.resolve(__dirname, process.env.TENANTMESH_SERVER_BIN ?? '../target/release/server');
const scaleData = path.join(os.tmpdir(), 'tenant-mesh-e2e-scale');

// The projects asked for on the command line (`--project a b`, `--project=a`); none: all.
function projectsAsked(argv: string[]): string[] {
  const asked: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith('--project=')) {
      asked.push(arg.slice('--project='.length));
    } else if (arg === '--project') {
      while (i + 1 < argv.length && !argv[i + 1].startsWith('-')) asked.push(argv[++i]);
    }
  }
  return asked;
}
const asked = projectsAsked(process.argv);
const runsScale = asked.length === 0 || asked.includes('scale');
// The global setup waits for the demo server: only when a project that uses it runs.
const runsDemo = asked.length === 0 || asked.some((name) => name !== 'scale');

const launchOptions = {
  executablePath: chromium,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    '--no-first-run',
  ],
};

const scaleSpec = '**/scale.spec.ts';

export default defineConfig({
  testDir: './tests',
  globalSetup: runsDemo ? './global-setup.ts' : undefined,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL,
    trace: 'off',
    launchOptions,
  },
  webServer: runsScale
    ? [
        {
          command: `rm -rf '${scaleData}' && mkdir -p '${scaleData}' && exec '${serverBin}' --addr ${scaleAddr} --scenario ${scaleScenario}`,
          cwd: repoRoot,
          env: {
            TENANTMESH_DATABASE_URL: `sqlite://${scaleData}/scale.sqlite`,
            TENANTMESH_SITE_ROOT: path.join(repoRoot, 'target', 'site'),
            TENANTMESH_MODE: 'demo',
            // The monitor reads the 100 tenants once at start (the mesh beyond the signed-in
            // tenants), then leaves the machine to the other projects' server; no configuration
            // snapshots.
            TENANTMESH_MONITOR__INTERVAL_SECS: '3600',
            TENANTMESH_MONITOR__SNAPSHOT_SECS: '0',
          },
          url: `${scaleURL}/readyz`,
          timeout: 120_000,
          reuseExistingServer: !process.env.CI,
        },
      ]
    : undefined,
  // Every page must work without JavaScript (it only adds the page's island): each spec runs with JavaScript on and
  // off. The scale scenario's smoke test runs once, with JavaScript, against its own server.
  projects: [
    { name: 'js', testIgnore: scaleSpec, use: { javaScriptEnabled: true } },
    { name: 'no-js', testIgnore: scaleSpec, use: { javaScriptEnabled: false } },
    { name: 'scale', testMatch: scaleSpec, use: { javaScriptEnabled: true, baseURL: scaleURL } },
  ],
});
