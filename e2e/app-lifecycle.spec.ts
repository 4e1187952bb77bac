import { randomBytes } from 'node:crypto';
import type { Page } from '@playwright/test';
import { readEnvFile } from '../devstack/stack';
import {
  fleetTargetsFromEnv,
  startFleet,
  type Fleet,
} from '../examples/login-settings-service/start-fleet';
import { ConfigEditorPage } from './pages/config-editor';
import { e2eStackDir, expect, snap, test } from './fixtures';

/**
 * An admin's app lifecycle in the browser: create an app as a copy (its secrets asked for, not
 * copied), save it, archive it while example services serve it (they stop and say so), restore
 * it (they serve it again). Viewers and other tenants' admins get none of it.
 */

const APP = `e2e-copy-${randomBytes(3).toString('hex')}`;
let fleet: Fleet | undefined;

test.afterAll(async () => {
  await fleet?.stop();
});

/** What every instance answers for the app: HTTP status and version. */
async function served() {
  if (!fleet) throw new Error('no fleet');
  return Promise.all(
    fleet.instances.map(async (instance) => {
      const response = await fetch(`${instance.url}/apps/${APP}/login-settings`);
      const body = (await response.json()) as { version?: number; archived?: boolean };
      return `${response.status} v${body.version ?? '?'}${body.archived ? ' archived' : ''}`;
    }),
  );
}

async function archiveOrRestore(page: Page, verb: 'Archive' | 'Restore') {
  await page.goto(`/apps/${APP}/settings`);
  await page.getByRole('button', { name: `${verb} app` }).click();
  const dialog = page.getByRole('dialog', { name: new RegExp(`^${verb} `) });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Reason (optional)').fill(`e2e ${verb.toLowerCase()}`);
  await snap(page, `app-${verb.toLowerCase()}-dialog`);
  await dialog.getByRole('button', { name: new RegExp(`^${verb} `) }).click();
  // Like a save, it goes to the app page, which shows the new version reaching every region.
  await page.waitForURL(`**/apps/${APP}`);
}

test('an admin creates an app from a copy, saves, archives and restores it', async ({
  adminPage: page,
}) => {
  test.setTimeout(120_000);
  await page.goto('/apps');
  await snap(page, 'apps-list');
  await page.getByRole('link', { name: 'New app' }).click();
  await expect(page.getByRole('heading', { name: 'New app', level: 1 })).toBeVisible();
  await snap(page, 'app-new-template');

  await page
    .getByLabel('Configuration to start from')
    .selectOption({ label: 'Copy of Acme Storefront (acme-storefront)' });
  await page.getByRole('button', { name: 'Use this' }).click();
  await expect(page.getByRole('heading', { name: 'Copy of Acme Storefront' })).toBeVisible();
  const secrets = page.getByRole('group', { name: 'Secrets for the new app' });
  await expect(secrets.getByLabel(/client secret/)).toHaveValue('');
  await expect(secrets.getByLabel(/Signing secret/)).toHaveValue('');

  await page.getByLabel('Name', { exact: true }).fill('E2E Copy');
  await page.getByLabel('App id').fill(APP);
  await page.getByLabel('Description (optional)').fill('Copied in the browser');
  await secrets.getByLabel(/client secret/).fill('e2e-google-Vb7Nm2Qw9Er4Ty6Ui1Op3As8Df5Gh0Jk');
  await secrets.getByLabel(/Signing secret/).fill('e2e-whsec-Lz4Xc7Vb0Nm3Qw6Er9Ty2Ui5Op8As1Df');
  await snap(page, 'app-new-copy');
  await page.getByRole('button', { name: 'Create app' }).click();

  await page.waitForURL(`**/apps/${APP}`);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('E2E Copy');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('v1');
  await snap(page, 'app-created');

  fleet = await startFleet({
    ...fleetTargetsFromEnv(readEnvFile(e2eStackDir())),
    apps: [APP],
    perRegion: 1,
    idPrefix: 'e2e-lifecycle',
    reportIntervalMs: 1_000,
  });
  await expect.poll(served).toEqual(fleet.instances.map(() => '200 v1'));

  const editor = new ConfigEditorPage(page);
  await editor.open(APP);
  await editor.field('Display name').fill('E2E Copy Store');
  await editor.review();
  expect(await editor.save('first edit of the copy')).toBe(2);
  await expect.poll(served).toEqual(fleet.instances.map(() => '200 v2'));

  await archiveOrRestore(page, 'Archive');
  await expect(page.getByRole('note').filter({ hasText: 'Archived' })).toContainText(
    'Services no longer receive this app’s configuration',
  );
  await expect.poll(served).toEqual(fleet.instances.map(() => '410 v3 archived'));
  const health = (await (await fetch(`${fleet.instances[0]!.url}/healthz`)).json()) as {
    apps: Record<string, unknown>;
  };
  expect(health.apps[APP]).toMatchObject({ archived: true, version: 3 });
  await page.goto(`/apps/${APP}`);
  // Said in words, not as a version number: every region dropped it, every server says gone.
  await expect(page.getByText('Removed from every region')).toBeVisible();
  await expect(page.getByText('reports the app as gone').first()).toBeVisible();
  await snap(page, 'app-archived');
  await page.goto('/apps?status=archived');
  await expect(page.getByRole('link', { name: 'E2E Copy' })).toBeVisible();
  await snap(page, 'apps-archived-list');
  await page.goto(`/apps/${APP}/edit`);
  await expect(page.getByRole('button', { name: 'Review changes' })).toHaveCount(0);

  await archiveOrRestore(page, 'Restore');
  await expect(page.getByRole('note').filter({ hasText: 'Archived' })).toHaveCount(0);
  await expect.poll(served).toEqual(fleet.instances.map(() => '200 v4'));
  await page.goto(`/apps/${APP}/history`);
  await snap(page, 'app-history-after-restore');
});

test('a viewer and another tenant’s admin get none of it', async ({
  viewerPage,
  globexAdminPage,
}) => {
  await viewerPage.goto('/apps');
  await expect(viewerPage.getByRole('heading', { name: 'Apps', level: 1 })).toBeVisible();
  await expect(viewerPage.getByRole('link', { name: 'New app' })).toHaveCount(0);
  await viewerPage.goto('/apps/new');
  await expect(viewerPage.getByText('Your role does not include this page')).toBeVisible();
  await viewerPage.goto('/apps/acme-storefront');
  await expect(viewerPage.getByRole('link', { name: 'Settings' })).toHaveCount(0);
  await viewerPage.goto('/apps/acme-storefront/settings');
  await expect(viewerPage.getByText('Your role does not include this page')).toBeVisible();

  for (const path of ['/apps/acme-storefront/settings', '/apps/acme-storefront']) {
    const response = await globexAdminPage.goto(path);
    expect(response?.status()).toBe(404);
  }
  await globexAdminPage.goto('/apps?q=acme');
  await expect(globexAdminPage.getByText('No app matches “acme”')).toBeVisible();
});
