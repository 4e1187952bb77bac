import { execFileSync } from 'node:child_process';
import { e2eStackDir, expect, snap, test } from './fixtures';

/**
 * History at length: an app with 5 000 versions (seeded through the data layer) keeps a small
 * history page, pages by version cursor, searches by message, and its compare pickers find
 * versions by searching, with the keyboard alone if need be.
 */

const APP = 'acme-long-history';
const VERSIONS = 5_000;

test.beforeAll(() => {
  execFileSync(
    'node',
    [
      '--import',
      'tsx',
      'scripts/with-devstack-env.ts',
      'node',
      '--conditions=react-server',
      '--import',
      'tsx',
      'scripts/seed-long-history.ts',
      APP,
      String(VERSIONS),
    ],
    { env: { ...process.env, PROPAGATE_DEVSTACK_DIR: e2eStackDir() }, stdio: 'inherit' },
  );
});

test('a history of 5 000 versions stays small, pages, searches and compares', async ({
  adminPage: page,
}) => {
  test.setTimeout(120_000);
  const response = await page.goto(`/apps/${APP}/history`);
  const html = (await response?.text()) ?? '';
  // 25 rows, no list of every version: the page weighs the same at 5 or 5 000 versions.
  expect(html.length).toBeLessThan(200_000);
  expect(html).not.toContain('<option');
  console.log(
    `history page of ${VERSIONS} versions: ${Math.round(html.length / 1024)} KiB of HTML`,
  );
  const rows = page.getByRole('table').getByRole('row');
  await expect(rows).toHaveCount(26);
  await expect(rows.nth(1)).toContainText(`v${VERSIONS}`);
  await expect(page.getByText(`${VERSIONS} saved versions`)).toBeVisible();
  await snap(page, 'history-long');

  await page.getByRole('link', { name: 'Older versions' }).click();
  await expect(rows.nth(1)).toContainText('v4975');
  await page.getByRole('link', { name: 'Newer versions' }).click();
  await expect(rows.nth(1)).toContainText(`v${VERSIONS}`);

  await page.getByRole('searchbox', { name: 'Find versions' }).fill('quarterly review');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(rows).toHaveCount(11);
  await expect(rows.nth(10)).toContainText('v500');

  await page.goto(`/apps/${APP}/history`);
  await expect(page.locator('[data-hydrated]')).toHaveCount(2);
  // The mouse: type a number and click the match.
  const from = page.getByRole('combobox', { name: 'Compare' });
  await from.click();
  await from.fill('17');
  const fromList = page.getByRole('listbox', { name: 'Compare: matching versions' });
  await expect(fromList.getByRole('option')).toHaveCount(1);
  await expect(fromList.getByRole('option')).toContainText('v17');
  await snap(page, 'history-picker');
  await fromList.getByRole('option', { name: /^v17 / }).click();
  await expect(from).toHaveValue(/^v17 · /);

  // The keyboard alone: focus, type, arrow to the match, Enter picks, Enter again submits.
  const to = page.getByRole('combobox', { name: 'with' });
  await to.focus();
  await page.keyboard.type('4 990');
  const toList = page.getByRole('listbox', { name: 'with: matching versions' });
  await expect(toList.getByRole('option', { name: /^v4990 / })).toBeVisible();
  await page.keyboard.press('ArrowDown');
  await expect(to).toHaveAttribute('aria-activedescendant', /opt-0$/);
  await page.keyboard.press('Enter');
  await expect(to).toHaveValue(/^v4990 · /);
  await expect(toList).toBeHidden();
  await page.keyboard.press('Enter');
  await page.waitForURL(/from=17&to=4990/);
  await expect(page.getByRole('heading', { name: 'Differences from v17 to v4990' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Changes from v17 to v4990' })).toContainText(
    'Idle timeout',
  );
  await snap(page, 'history-compare');
});
