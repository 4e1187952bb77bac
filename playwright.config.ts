import { existsSync } from 'node:fs';
import { defineConfig, devices } from '@playwright/test';
import { smokeOnly } from './e2e/smoke/target';

const port = Number(process.env.PROPAGATE_E2E_PORT ?? 3100);
export const baseURL = `http://127.0.0.1:${port}`;
// `--project smoke` with PROPAGATE_SMOKE_URL runs read-only against that environment: no local server.
const remoteSmoke = smokeOnly() && Boolean(process.env.PROPAGATE_SMOKE_URL);

// Debian's Chromium: the real binary avoids the wrapper script's warnings. Never downloaded.
const executablePath = existsSync('/usr/lib/chromium/chromium')
  ? '/usr/lib/chromium/chromium'
  : '/usr/bin/chromium';

export default defineConfig({
  testDir: 'e2e',
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  // The suites share one devstack and inject faults into it: one worker keeps them from colliding.
  workers: 1,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : 'list',
  globalSetup: './e2e/global-setup.ts',
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath,
      args: [
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [
    {
      name: 'chromium',
      testIgnore: 'smoke/**',
      use: { ...devices['Desktop Chrome'], channel: undefined },
    },
    {
      // Read-only: sign-in, apps, an app's propagation, the fleet, the API's health (e2e/smoke).
      name: 'smoke',
      testDir: 'e2e/smoke',
      use: {
        ...devices['Desktop Chrome'],
        channel: undefined,
        baseURL: process.env.PROPAGATE_SMOKE_URL ?? baseURL,
      },
    },
  ],
  webServer: remoteSmoke
    ? undefined
    : {
        command: 'node --import tsx scripts/e2e-server.ts',
        url: `${baseURL}/api/health`,
        reuseExistingServer: false,
        timeout: 180_000,
        stdout: 'pipe',
        stderr: 'pipe',
        env: { PROPAGATE_E2E_PORT: String(port) },
        gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
      },
});
