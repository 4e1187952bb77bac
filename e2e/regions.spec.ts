import { execFileSync } from 'node:child_process';
import type { Page } from '@playwright/test';
import { e2eStackDir, expect, test } from './fixtures';

/**
 * The Regions page, live: a partition made with the fault CLI (as QA would make it) shows up
 * without a reload, and so does the heal.
 */
function faultCli(...args: string[]): string {
  return execFileSync(process.execPath, ['--import', 'tsx', 'devstack/cli.ts', 'fault', ...args], {
    env: { ...process.env, PROPAGATE_DEVSTACK_DIR: e2eStackDir() },
    encoding: 'utf8',
  });
}

const regionsTable = (page: Page) =>
  page.getByRole('table', { name: 'Cache regions and their health' });
const rowOf = (page: Page, region: string) =>
  regionsTable(page).getByRole('row').filter({ hasText: region });

test('the Regions page shows every region live, and a partition made with the fault CLI', async ({
  viewerPage: page,
}) => {
  await page.goto('/regions');
  const rows = regionsTable(page)
    .getByRole('row')
    .filter({ hasText: /Primary|Read replica/ });
  await expect(rows).toHaveCount(4);
  await expect(rowOf(page, 'us-east-1')).toContainText('Primary');
  for (const row of await rows.all()) await expect(row).toContainText('Healthy');

  const region = 'ap-south-1';
  expect(faultCli(region, 'partition')).toContain('partition');
  try {
    // The replica notices after the devstack's repl-timeout (5 s); the page polls every 2 s.
    await expect(rowOf(page, region)).toContainText('Replication down', { timeout: 15_000 });
    await expect(rowOf(page, region)).toContainText('cut off from the primary');
    await expect(rowOf(page, 'eu-west-1')).toContainText('Healthy');
  } finally {
    faultCli(region, 'heal');
  }
  await expect(rowOf(page, region)).toContainText('Healthy', { timeout: 20_000 });
});
