import { randomBytes } from 'node:crypto';
import type { Page } from '@playwright/test';
import { readEnvFile } from '../devstack/stack';
import {
  fleetTargetsFromEnv,
  startFleet,
  type Fleet,
} from '../examples/login-settings-service/start-fleet';
import { ConfigEditorPage } from './pages/config-editor';
import { e2eStackDir, expect, fault, test } from './fixtures';

/**
 * The servers that use a config, in the browser: two example-service instances per region run
 * the config client on their replica and report what they hold; a save must reach all of them,
 * and the app page must say so. A partitioned region shows its servers behind, then catching up.
 */

const APP = 'acme-storefront';
let fleet: Fleet;

test.beforeAll(async () => {
  fleet = await startFleet({
    ...fleetTargetsFromEnv(readEnvFile(e2eStackDir())),
    apps: [APP],
    perRegion: 2,
    // Apart from any fleet the demo runs for the same app.
    idPrefix: 'e2e-login',
    reportIntervalMs: 1_000,
  });
});

test.afterAll(async () => {
  await fleet?.stop();
});

const serversTable = (page: Page) =>
  page.getByRole('table', { name: 'Service instances per region and the version they hold' });
const regionRow = (page: Page, region: string) =>
  serversTable(page).getByRole('row').filter({ hasText: region });
/** The "2/2 on v42" badge of a region. */
const serversCell = (page: Page, region: string) =>
  regionRow(page, region).getByRole('cell').nth(1);
const regions = () => [...new Set(fleet.instances.map((i) => i.region))];

async function saveDisplayName(page: Page, name: string, beforeSave?: () => Promise<unknown>) {
  const editor = new ConfigEditorPage(page);
  await editor.open(APP);
  await editor.field('Display name').fill(name);
  await editor.review();
  await beforeSave?.();
  const version = await editor.save(`Servers e2e: ${name}`);
  // Committed once the head moves; then the app page. (The editor navigates there itself; this
  // spec is about the servers panel, so it does not depend on how the editor gets there.)
  await expect
    .poll(async () => {
      const response = await page.request.get(`/api/apps/${APP}/instances`);
      return ((await response.json()) as { head: { version: number } | null }).head?.version;
    })
    .toBe(version);
  await page.goto(`/apps/${APP}`);
  return version;
}

/** Every region's badge reads "n/n on vX": all live servers there hold the version. */
async function expectAllOn(page: Page, version: number, only: string[] = regions()) {
  for (const region of only) {
    await expect(serversCell(page, region)).toHaveText(new RegExp(`^(\\d+)/\\1 on v${version}$`));
  }
}

/** What each instance actually serves, asked over HTTP: the proof behind the dashboard. */
async function servedVersions() {
  return Promise.all(
    fleet.instances.map(async (instance) => {
      const response = await fetch(`${instance.url}/apps/${APP}/login-settings`);
      const body = (await response.json()) as {
        version: number;
        settings: { branding: { displayName: string } };
      };
      return {
        id: instance.instanceId,
        version: body.version,
        name: body.settings.branding.displayName,
      };
    }),
  );
}

test.describe('servers panel', () => {
  test('a save in the browser reaches every example-service instance, and the app page shows it', async ({
    adminPage,
  }) => {
    await adminPage.goto(`/apps/${APP}`);
    await expect(serversTable(adminPage)).toBeVisible();
    // Every instance of the fleet has reported (folded-away names are still in the table's text).
    for (const instance of fleet.instances) {
      await expect(serversTable(adminPage)).toContainText(instance.instanceId, { timeout: 15_000 });
    }

    const name = `Acme Store ${randomBytes(3).toString('hex')}`;
    const version = await saveDisplayName(adminPage, name);
    await expectAllOn(adminPage, version);
    const served = await servedVersions();
    expect(served).toEqual(fleet.instances.map((i) => ({ id: i.instanceId, version, name })));
  });

  test('during a partition the region’s servers show behind, then catch up after heal', async ({
    adminPage,
  }) => {
    const cut = regions().at(-1);
    if (!cut) throw new Error('the fleet has no region');
    try {
      const name = `Acme Store ${randomBytes(3).toString('hex')}`;
      const version = await saveDisplayName(adminPage, name, () => fault(cut, 'partition'));
      await expect(serversCell(adminPage, cut)).toHaveText(new RegExp(`^0/\\d+ on v${version}$`));
      const row = regionRow(adminPage, cut);
      await expect(row).toContainText(`holds v${version - 1}`);
      await expect(row).toContainText('behind for');
      // Every other region has it.
      await expectAllOn(
        adminPage,
        version,
        regions().filter((r) => r !== cut),
      );
      await fault(cut, 'heal');
      await expectAllOn(adminPage, version);
    } finally {
      await fault(cut, 'heal');
    }
  });
});
