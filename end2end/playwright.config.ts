import { defineConfig } from '@playwright/test';

// Browsers are never downloaded: the system Chromium is used (see scripts/setup.sh).
const chromium = process.env.TENANTMESH_CHROMIUM ?? '/usr/bin/chromium';
const baseURL = process.env.TENANTMESH_BASE_URL ?? 'http://127.0.0.1:3000';

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

export default defineConfig({
  testDir: './tests',
  globalSetup: './global-setup.ts',
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
  // Every page must be readable before (or without) hydration: each spec runs with JavaScript on and off.
  projects: [
    { name: 'js', use: { javaScriptEnabled: true } },
    { name: 'no-js', use: { javaScriptEnabled: false } },
  ],
});
