import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { freePort } from '../devstack/ports';
import { DEMO_REGIONS, down } from '../devstack/stack';
import type { DemoUserKey } from '../lib/seed/demo-users';
import { runProduct } from '../scripts/run-product';
import { expect, signIn, snap, test } from './fixtures';
import { percentile, stalenessOf, startChecker, startSaver } from './migration-checker';
import { MigrationPage } from './pages/migration-page';

/**
 * A whole cache migration in the browser, as `npm run demo -- --migration` runs it: legacy (one
 * Redis in us-east-1, reached from the other regions through delayed links) to global (a primary
 * and three replicas), with the example services following. Cut over, roll back, cut over
 * again, finish. All along, a checker samples every service every 50 ms and an admin saves once
 * a second: no service may ever serve an older version than it served before, and staleness
 * against the head stays within 1 s at p99.
 *
 * It runs its own product (the migration needs two deployments and a fleet) beside the one the
 * other suites share.
 */
const dir = path.resolve('.devstack-e2e-migration');
const APP = 'acme-storefront';
const PER_REGION = 2;
const regions = DEMO_REGIONS.map((r) => r.name);
let product: Awaited<ReturnType<typeof runProduct>> | undefined;
let baseURL = '';

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(300_000);
  // A fresh stack: MongoDB keeps the cache state (and a finished migration) between runs.
  if (existsSync(dir)) await down(dir);
  rmSync(dir, { recursive: true, force: true });
  const port = await freePort(3128);
  baseURL = `http://127.0.0.1:${port}`;
  product = await runProduct({
    dir,
    port,
    regions: DEMO_REGIONS,
    build: 'if-missing',
    migration: true,
    ownMongo: true,
    servicesPerRegion: PER_REGION,
    // A short verification window keeps the run within minutes; the gate is the same.
    extraEnv: { MIGRATION_VERIFY_WINDOW_MS: '5000' },
    log: (line) => console.log(`[migration-e2e] ${line}`),
  });
});

test.afterAll(async () => {
  test.setTimeout(120_000);
  await product?.stop();
  if (existsSync(dir)) await down(dir);
  rmSync(dir, { recursive: true, force: true });
});

async function signedIn(browser: Browser, key: DemoUserKey): Promise<Page> {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await signIn(page, key);
  return page;
}

test('an operator migrates legacy → global, rolls back, migrates again and finishes; no service ever goes back a version', async ({
  browser,
}) => {
  test.setTimeout(600_000);
  const instances = product?.fleet?.instances ?? [];
  expect(instances).toHaveLength(regions.length * PER_REGION);
  const admin = await signedIn(browser, 'acmeAdmin');
  const operator = await signedIn(browser, 'operator');
  const checker = startChecker({ instances, appId: APP });
  const saver = startSaver({ request: admin.request, origin: baseURL, appId: APP });
  const page = new MigrationPage(operator);
  try {
    await page.open();
    await expect(page.deployment('legacy')).toContainText('active: services read here');
    await expect(page.deployment('global')).toContainText('idle');

    // 1. Plan: the preflight names every region of global and counts the reporting services.
    await expect(operator.getByLabel('Target deployment')).toHaveValue('global');
    for (const region of ['us-east-1', ...regions])
      await expect(
        operator.getByRole('list', { name: 'Target regions' }).getByText(`${region}: reachable`),
      ).toBeVisible();
    await expect(
      operator.getByText(`${instances.length} service instances reporting; 0 cannot reach global.`),
    ).toBeVisible({ timeout: 30_000 });
    await snap(operator, 'migration-1-plan');
    await page.take('Plan migration legacy → global');

    // 2. Start: dual writes, then the backfill.
    await expect(
      operator.getByRole('heading', { name: /2\. Backfill and dual writes: legacy → global/ }),
    ).toBeVisible();
    await snap(operator, 'migration-2-start');
    await page.take('Start backfill and dual writes');
    await expect(page.deployment('global')).toContainText('receives every save');

    // 3. Backfill done, verify clean for the window: the cut-over opens.
    await expect(operator.getByRole('heading', { name: 'Backfill done' })).toBeVisible({
      timeout: 60_000,
    });
    await expect(operator.getByRole('progressbar', { name: 'Backfill progress' })).toHaveAttribute(
      'aria-valuenow',
      '100',
    );
    await expect(page.step('Cut over to global')).toBeEnabled({ timeout: 90_000 });
    await snap(operator, 'migration-3-verified');
    await page.take('Cut over to global');

    // 4. Every region's services move to global without a restart.
    await page.expectAllOn('global', regions, PER_REGION);
    await expect(page.deployment('global')).toContainText('active: services read here');
    await snap(operator, 'migration-4-cut-over');

    // 5. Roll back with one click: every service returns to legacy, never to an older version.
    await page.take('Roll back to legacy');
    await expect(page.deployment('legacy')).toContainText('active: services read here', {
      timeout: 30_000,
    });
    for (const region of regions) {
      const row = page
        .regionsTable()
        .getByRole('row')
        .filter({ has: operator.getByRole('cell', { name: region, exact: true }) });
      await expect(row.getByRole('cell').nth(1)).toHaveText(`0/${PER_REGION} on global`, {
        timeout: 60_000,
      });
      await expect(row.getByRole('cell').nth(2)).toHaveText(`${PER_REGION} on legacy`);
    }
    await snap(operator, 'migration-5-rolled-back');

    // 6. Cut over again once the verification has been clean for a window again.
    await page.take('Cut over to global', 90_000);
    await page.expectAllOn('global', regions, PER_REGION);

    // 7. Finish: retire legacy.
    await page.take('Finish: retire legacy');
    await expect(page.deployment('legacy')).toContainText('idle', { timeout: 30_000 });
    await expect(page.deployment('global')).toContainText('active: services read here');
    await expect(operator.getByText(/legacy → global: finished/)).toBeVisible({ timeout: 30_000 });
    await snap(operator, 'migration-6-finished');
    // A few more saves after the finish: services keep up from global alone. On a quiet machine
    // the flow can take barely 20 s, so the saver goes on until it has made more than 20.
    await operator.waitForTimeout(3_000);
    await expect.poll(() => saver.versions.length, { timeout: 30_000 }).toBeGreaterThan(20);
  } finally {
    await saver.stop();
    // The last save's way to every service, still sampled.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    checker.stop();
  }

  const saves = await saver.saves();
  const staleness = stalenessOf(checker.samples, saves);
  const figures = {
    samples: checker.samples.length,
    sampleFailures: checker.failures(),
    saves: saves.length,
    savesPerS: Number(
      (
        saves.length /
        ((Math.max(...saves.map((v) => v.committedAt)) -
          Math.min(...saves.map((v) => v.committedAt))) /
          1000)
      ).toFixed(2),
    ),
    saveErrors: saver.errors.length,
    regressions: checker.regressions.length,
    stalenessMs: {
      p50: percentile(staleness, 50),
      p99: percentile(staleness, 99),
      max: Math.max(0, ...staleness),
    },
    deploymentsSeen: [...new Set(checker.samples.map((s) => s.deployment))],
  };
  console.log(`migration e2e: ${JSON.stringify(figures)}`);
  expect(saver.errors).toEqual([]);
  expect(saves.length).toBe(saver.versions.length);
  expect(saves.length).toBeGreaterThan(20);
  expect(checker.regressions).toEqual([]);
  expect(figures.stalenessMs.p99).toBeLessThanOrEqual(1_000);
  expect(figures.deploymentsSeen.sort()).toEqual(['global', 'legacy']);
  // Every instance ends on the last version saved.
  const lastSaved = Math.max(...saver.versions);
  for (const instance of instances) {
    const held = checker.samples.filter((s) => s.instanceId === instance.instanceId).at(-1);
    expect(held?.version, instance.instanceId).toBe(lastSaved);
  }
});
