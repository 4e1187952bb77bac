import { randomBytes } from 'node:crypto';
import type { Page, Request } from '@playwright/test';
import { expect, fault, snap, test } from './fixtures';

/**
 * Watching a save propagate, in the browser: every region turns "In sync"; a slow region is seen
 * "Propagating" first; a partitioned one turns "Lagging" once the lag budget (2 s for e2e) passes.
 * Each test uses its own demo app so the faults of one never leave another app behind.
 */

const unique = () => randomBytes(3).toString('hex');

interface StatusJson {
  head: { version: number } | null;
  regions: { name: string; role: 'primary' | 'replica' }[];
}

async function regionsOf(page: Page, appId: string) {
  const response = await page.request.get(`/api/apps/${appId}/propagation`);
  expect(response.ok()).toBe(true);
  return (await response.json()) as StatusJson;
}

/** Edits the display name in the editor and saves; resolves on the app page with the new version. */
async function saveNewDisplayName(
  page: Page,
  appId: string,
  { beforeSave }: { beforeSave?: () => Promise<unknown> } = {},
) {
  await page.goto(`/apps/${appId}/edit`);
  await page.getByLabel('Display name').fill(`Propagation ${unique()}`);
  await page.getByRole('button', { name: 'Review changes' }).click();
  const save = page.getByRole('button', { name: /^Save as v\d+$/ });
  const label = (await save.textContent()) ?? '';
  const version = Number(/v(\d+)/.exec(label)?.[1]);
  await beforeSave?.();
  const saved = page.waitForResponse(
    (r) => r.request().method() === 'POST' && r.request().headers()['next-action'] !== undefined,
  );
  await save.click();
  expect((await saved).ok()).toBe(true);
  // The editor redirects to the app page after a save; go there directly if it has not yet.
  if (!new URL(page.url()).pathname.endsWith(`/apps/${appId}`)) {
    await page.goto(`/apps/${appId}`);
  }
  return version;
}

const panel = (page: Page) =>
  page.getByRole('table', { name: 'Where the latest version has reached, per region' });
const regionRow = (page: Page, region: string) =>
  panel(page).getByRole('row').filter({ hasText: region });

/** Every region's row says "In sync" at `version`. */
async function expectEveryRegionAt(page: Page, regions: { name: string }[], version: number) {
  for (const region of regions) {
    const row = regionRow(page, region.name);
    await expect(row).toContainText('In sync');
    await expect(row).toContainText(`v${version}`);
  }
}

test.describe('propagation panel', () => {
  test('an admin saves and watches every region turn in sync', async ({ adminPage }) => {
    const { regions } = await regionsOf(adminPage, 'acme-storefront');
    const version = await saveNewDisplayName(adminPage, 'acme-storefront');
    await expectEveryRegionAt(adminPage, regions, version);
    await expect(adminPage.getByText('All regions in sync')).toBeVisible();
    await expect(adminPage.getByText(`v${version} committed to MongoDB`)).toBeVisible();
  });

  test('a region 300 ms away shows "Propagating" before "In sync"', async ({ adminPage }) => {
    const { regions } = await regionsOf(adminPage, 'acme-mobile');
    const far = regions.find((r) => r.role === 'replica');
    if (!far) throw new Error('the e2e stack has no replica');
    await fault(far.name, 'latency', 300);
    try {
      // The link is also held while the admin saves and the page loads: on a loaded test
      // machine one status request can take longer than the 300 ms trip itself, so an unheld
      // trip could end before the first look. Released, the version travels with its delay.
      const version = await saveNewDisplayName(adminPage, 'acme-mobile', {
        beforeSave: () => fault(far.name, 'partition'),
      });
      const row = regionRow(adminPage, far.name);
      await expect(row).toContainText('Propagating');
      await fault(far.name, 'heal');
      await expect(row).toContainText('In sync');
      await expect(row).toContainText(`v${version}`);
    } finally {
      await fault(far.name, 'heal');
      await fault(far.name, 'latency', 0);
    }
  });

  test('a partitioned region shows "Lagging" with an explanation, and recovers after heal', async ({
    adminPage,
  }) => {
    const { regions } = await regionsOf(adminPage, 'acme-partner-portal');
    const cut = regions.filter((r) => r.role === 'replica').at(-1);
    if (!cut) throw new Error('the e2e stack has no replica');
    try {
      // Partitioned at the last moment: the replica itself reports its link down after the
      // devstack's repl-timeout (5 s), and from then on the region is "Replication down".
      const version = await saveNewDisplayName(adminPage, 'acme-partner-portal', {
        beforeSave: () => fault(cut.name, 'partition'),
      });
      const row = regionRow(adminPage, cut.name);
      await expect(row).toContainText('Lagging', { timeout: 8_000 });
      await expect(row).toContainText(`has not arrived within the`);
      await expect(row).toContainText(`v${version} has not arrived`);
      await fault(cut.name, 'heal');
      await expect(row).toContainText('In sync', { timeout: 20_000 });
      await expect(row).toContainText(`v${version}`);
    } finally {
      await fault(cut.name, 'heal');
    }
  });
});

test.describe('live status stream', () => {
  const polls = (url: string) =>
    /\/api\/apps\/[^/]+\/propagation(\?|$)/.test(new URL(url).pathname + new URL(url).search);

  test('the panel turns "In sync" from the stream, with no polling request while it is open', async ({
    adminPage,
  }) => {
    const appId = 'acme-storefront';
    const { regions } = await regionsOf(adminPage, appId);
    await adminPage.goto(`/apps/${appId}`);
    // "live" in the panel's header: the stream is open.
    await expect(adminPage.getByText(/· live$/)).toBeVisible();
    const polled: string[] = [];
    adminPage.on('request', (r) => {
      if (polls(r.url())) polled.push(r.url());
    });
    // Saved in another tab: only the stream can tell this one.
    const editor = await adminPage.context().newPage();
    const version = await saveNewDisplayName(editor, appId);
    await editor.close();
    await expectEveryRegionAt(adminPage, regions, version);
    expect(polled).toEqual([]);
  });

  test('falls back to polling, and says so, when the stream endpoint is blocked', async ({
    adminPage,
  }) => {
    const appId = 'acme-mobile';
    const { regions } = await regionsOf(adminPage, appId);
    await adminPage.route('**/propagation/events', (route) => route.abort());
    const polled: string[] = [];
    adminPage.on('request', (r) => {
      if (polls(r.url())) polled.push(r.url());
    });
    await adminPage.goto(`/apps/${appId}`);
    await expect(adminPage.getByText('live updates interrupted; checking every')).toBeVisible();
    const editor = await adminPage.context().newPage();
    const version = await saveNewDisplayName(editor, appId);
    await editor.close();
    await expectEveryRegionAt(adminPage, regions, version);
    expect(polled.length).toBeGreaterThan(0);
  });
});

test.describe('live fleet', () => {
  const fleetReads = (url: string) => new URL(url).pathname === '/api/propagation';

  test('a fleet row turns to the new version from the stream alone, with every page read blocked', async ({
    supportPage,
    adminPage,
  }) => {
    const appId = 'acme-storefront';
    const { regions } = await regionsOf(adminPage, appId);
    let started = 0;
    let ended = 0;
    supportPage.on('request', (r) => {
      if (fleetReads(r.url())) started += 1;
    });
    const end = (r: Request) => {
      if (fleetReads(r.url())) ended += 1;
    };
    supportPage.on('requestfinished', end);
    supportPage.on('requestfailed', end);
    const streamOpen = supportPage.waitForResponse(
      (r) => new URL(r.url()).pathname === '/api/propagation/events',
    );
    await supportPage.goto('/fleet?tenant=acme');
    const row = supportPage
      .getByRole('table', { name: 'Apps and their state in each region' })
      .getByRole('row')
      .filter({ has: supportPage.locator(`a[href="/apps/${appId}"]`) });
    await expect(row).toBeVisible();
    // The server listens before it answers, so from here on every change reaches this page.
    expect((await streamOpen).ok()).toBe(true);
    await expect.poll(() => started >= 1 && ended === started).toBe(true);
    // No read of the page may answer from now on: only the stream's rows can change the table.
    await supportPage.route(
      (url) => fleetReads(url.toString()),
      (route) => route.abort(),
    );
    const version = await saveNewDisplayName(adminPage, appId);
    await expect(row.getByText(`serves v${version}`)).toHaveCount(regions.length);
    await expect(row.getByText('In sync')).toHaveCount(regions.length);
    await expect(row).toContainText(`v${version}`);
    await snap(supportPage, 'fleet-live-row');
  });
});
