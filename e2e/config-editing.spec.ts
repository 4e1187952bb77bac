import { randomBytes } from 'node:crypto';
import type { Page, Response, Route } from '@playwright/test';
import { DEMO_SECRETS } from '../lib/seed/demo-configs';
import { ConfigEditorPage } from './pages/config-editor';
import { expect, snap, test } from './fixtures';

/**
 * Config editing in the browser: edit → review the diff → save → history; two editors and the
 * conflict; errors next to their fields; and secrets that never reach the browser.
 */

const unique = () => randomBytes(3).toString('hex');
const secrets = Object.values(DEMO_SECRETS);
/** A value that differs on every run, within the field's limits. */
const freshNumber = (min: number, max: number) =>
  min + (randomBytes(2).readUInt16BE() % (max - min));

/** Records the text of every response the page receives: documents, RSC payloads, actions. */
async function recordResponses(
  page: Page,
): Promise<{ bodies: string[]; done: () => Promise<void> }> {
  const bodies: string[] = [];
  const pending: Promise<void>[] = [];
  const onResponse = (response: Response) => {
    if (response.request().method() === 'POST') return; // recorded whole by the route below
    // A status event stream stays open for as long as the page does: its body never ends.
    if (response.headers()['content-type']?.startsWith('text/event-stream')) return;
    pending.push(
      response
        .text()
        .then(
          (text) => void bodies.push(`${response.request().method()} ${response.url()}\n${text}`),
        )
        .catch(() => undefined), // redirects and aborted requests have no body
    );
  };
  // Server action responses stream while the editor navigates away, which can cut off a body
  // read from the response event; fetching them through a route records every byte.
  const onPost = async (route: Route) => {
    if (route.request().method() !== 'POST') return route.fallback();
    const response = await route.fetch();
    bodies.push(`POST ${route.request().url()}\n${await response.text()}`);
    await route.fulfill({ response });
  };
  page.on('response', onResponse);
  await page.route('**/*', onPost);
  return {
    bodies,
    done: async () => {
      page.off('response', onResponse);
      await page.unroute('**/*', onPost);
      await Promise.all(pending);
    },
  };
}

function expectNoSecret(text: string, where: string) {
  for (const secret of secrets) {
    expect(text.includes(secret), `${where} contains a secret`).toBe(false);
  }
}

test.describe('config editing', () => {
  test('edit → review the diff → save → the history shows it', async ({ adminPage }) => {
    const editor = new ConfigEditorPage(adminPage);
    await editor.open('acme-mobile');
    const idle = freshNumber(1_000, 20_000);
    await editor.field('Idle timeout').fill(String(idle));
    await editor.review();
    const row = editor.reviewDialog.getByRole('row', { name: /Sessions › Idle timeout/ });
    await expect(row).toContainText('Changed');
    await expect(editor.changeRows()).toHaveCount(2); // header + one change
    const message = `Idle timeout for the pilot ${unique()}`;
    const version = await editor.save(message);

    await adminPage.waitForURL('**/apps/acme-mobile');
    await expect(
      adminPage.getByRole('status').filter({ hasText: `Saved as v${version}` }),
    ).toBeVisible();
    await expect(adminPage.getByRole('heading', { level: 1 })).toContainText(`v${version}`);

    await adminPage
      .getByRole('navigation', { name: 'App' })
      .getByRole('link', { name: 'History' })
      .click();
    await adminPage.waitForURL('**/apps/acme-mobile/history');
    const entry = adminPage
      .getByRole('table', { name: 'Every version of this app’s configuration, newest first' })
      .getByRole('row', { name: new RegExp(`^v${version}\\b`) });
    await expect(entry).toContainText(message);
    await expect(entry).toContainText('Alice Admin');
    await expect(entry).toContainText('Current');

    await entry.getByRole('link', { name: `Compare v${version} with v${version - 1}` }).click();
    await expect(adminPage).toHaveURL(new RegExp(`from=${version - 1}&to=${version}`));
    await expect(
      adminPage
        .getByRole('table', { name: `Changes from v${version - 1} to v${version}` })
        .getByRole('row', {
          name: /Sessions › Idle timeout/,
        }),
    ).toBeVisible();
  });

  test('two editors from the same version: the second sees the conflict and re-applies', async ({
    adminPage,
  }) => {
    const baseURL = test.info().project.use.baseURL!;
    // A second browser context, signed in as the same admin: another tab, another person.
    const otherContext = await adminPage
      .context()
      .browser()!
      .newContext({
        storageState: await adminPage.context().storageState(),
        baseURL,
      });
    const first = new ConfigEditorPage(adminPage);
    const second = new ConfigEditorPage(await otherContext.newPage());

    await first.open('acme-partner-portal');
    await second.open('acme-partner-portal');

    const displayName = `Acme Partners ${unique()}`;
    await first.field('Display name').fill(displayName);
    await first.review();
    const theirVersion = await first.save('Rename the portal');
    await adminPage.waitForURL('**/apps/acme-partner-portal');

    const idle = freshNumber(31, 700);
    await second.field('Idle timeout').fill(String(idle));
    await second.review();
    expect(await second.nextVersion()).toBe(theirVersion);
    await second.saveButton.click();

    const conflict = second.page.getByRole('alert').filter({ hasText: 'while you were editing' });
    await expect(
      conflict.getByRole('heading', {
        name: `Someone else saved v${theirVersion} while you were editing`,
      }),
    ).toBeVisible();
    await expect(
      conflict
        .getByRole('table', { name: 'Changes saved by the other person' })
        .getByRole('row', { name: /Branding › Display name/ }),
    ).toContainText(displayName);
    await expect(
      conflict
        .getByRole('table', { name: 'Your unsaved changes' })
        .getByRole('row', { name: /Sessions › Idle timeout/ }),
    ).toBeVisible();

    await conflict
      .getByRole('button', { name: `Re-apply my changes on top of v${theirVersion}` })
      .click();
    await expect(second.reviewDialog).toBeVisible();
    // Only the second editor's change is left to apply; the first one's rename is kept.
    await expect(second.changeRows()).toHaveCount(2);
    await expect(
      second.reviewDialog.getByRole('row', { name: /Sessions › Idle timeout/ }),
    ).toBeVisible();
    const mine = await second.save('Shorter idle timeout');
    expect(mine).toBe(theirVersion + 1);
    await second.page.waitForURL('**/apps/acme-partner-portal');

    await second.page.goto(`/apps/acme-partner-portal/history/${mine}`);
    await expect(second.page.getByText(displayName).first()).toBeVisible();
    await otherContext.close();
  });

  test('an invalid URL shows its error next to the field; a server-side error reaches its field too', async ({
    adminPage,
  }) => {
    const editor = new ConfigEditorPage(adminPage);
    await editor.open('acme-storefront');
    const redirects = editor.field('Redirect URLs');
    await redirects.fill(
      `${await redirects.inputValue()}\nhttps://shop.acme.test/callback#frag\nnot a url`,
    );
    await editor.reviewButton.click();
    await expect(editor.reviewDialog).toBeHidden();
    await expect(redirects).toHaveAttribute('aria-invalid', 'true');
    const message = await editor.errorOf(redirects);
    expect(message).toContain(
      'Line 3 (https://shop.acme.test/callback#frag): Redirect URLs can’t include a # fragment',
    );
    expect(message).toMatch(/Line 4 \(not a url\): URLs can’t contain spaces/);
    await expect(
      adminPage.getByRole('alert').filter({ hasText: 'need your attention' }),
    ).toBeVisible();

    // A new provider without its secret passes the form's checks; the server refuses it and the
    // message lands on that provider's secret field.
    await editor.field('Redirect URLs').fill('https://shop.acme.test/auth/callback');
    await adminPage.getByLabel('Add a provider').selectOption({ label: 'GitHub' });
    await adminPage.getByRole('button', { name: 'Add provider' }).click();
    const github = adminPage.getByRole('group', { name: 'GitHub' });
    await github.getByLabel('Client ID').fill('gh-client-e2e');
    await editor.review();
    await editor.saveButton.click();
    const secretField = github.getByLabel('Client secret');
    await expect(secretField).toHaveAttribute('aria-invalid', 'true');
    expect(await editor.errorOf(secretField)).toContain('Enter the client secret');
  });

  test('a secret never reaches the browser: pages, navigations and action responses', async ({
    adminPage,
  }) => {
    const recorder = await recordResponses(adminPage);
    const editor = new ConfigEditorPage(adminPage);
    for (const path of [
      '/apps',
      '/apps/acme-storefront',
      '/apps/acme-storefront/history',
      '/apps/acme-storefront/history/1',
    ]) {
      await adminPage.goto(path);
      expectNoSecret(await adminPage.content(), `the HTML of ${path}`);
    }
    await editor.open('acme-storefront');
    const secretBox = adminPage.getByRole('group', { name: 'Google' }).getByLabel('Client secret');
    await expect(secretBox).toHaveValue('');
    await expect(secretBox).toHaveAttribute('placeholder', /unchanged/);
    expectNoSecret(await adminPage.content(), 'the editor');

    // A save that keeps the secrets, through the server action.
    await editor
      .field('Sign-in attempts per minute, per account')
      .fill(String(freshNumber(11, 500)));
    await editor.review();
    const version = await editor.save(`Rate limit ${unique()}`);
    await adminPage.waitForURL('**/apps/acme-storefront');
    await expect(adminPage.getByRole('heading', { level: 1 })).toContainText(`v${version}`);
    expectNoSecret(await adminPage.content(), 'the app page after saving');

    await recorder.done();
    const actions = recorder.bodies.filter((b) => b.startsWith('POST'));
    expect(actions.length).toBeGreaterThan(0);
    for (const body of recorder.bodies) expectNoSecret(body, body.split('\n')[0]!);
  });

  test('a webhook secret must be strong; Generate makes one; a rollback keeps it unless told to restore', async ({
    adminPage,
  }) => {
    const editor = new ConfigEditorPage(adminPage);
    const saveIdle = async (change?: () => Promise<void>) => {
      await editor.open('acme-storefront');
      // Within the storefront's 7-day session.
      await editor.field('Idle timeout').fill(String(freshNumber(1_000, 10_000)));
      await change?.();
      await editor.review();
      const version = await editor.save();
      await adminPage.waitForURL('**/apps/acme-storefront');
      await expect(adminPage.getByRole('heading', { level: 1 })).toContainText(`v${version}`);
      return version;
    };
    const before = await saveIdle();

    // The secret is rotated (after a leak, say): a weak one is refused, a generated one is shown once.
    const rotated = await saveIdle(async () => {
      const hook = adminPage.getByRole('group', { name: 'Webhook “orders-sync”' });
      const box = hook.getByLabel('Signing secret', { exact: true });
      await box.fill('orders-hook-2024');
      await editor.reviewButton.click();
      await expect(box).toHaveAttribute('aria-invalid', 'true');
      expect(await editor.errorOf(box)).toContain(
        'Too short: a secret needs at least 32 characters',
      );
      await hook.getByRole('button', { name: 'Generate a new signing secret' }).click();
      await expect(box).toHaveAttribute('type', 'text');
      await expect(box).toHaveValue(/^[A-Za-z0-9_-]{43}$/);
      await expect(hook).toContainText('Generated. Copy it to the receiver now');
      await snap(adminPage, 'secret-generated');
    });

    const rollBack = async (restore: boolean) => {
      await adminPage.goto(`/apps/acme-storefront/history/${before}`);
      await adminPage.getByRole('button', { name: `Roll back to v${before}` }).click();
      const dialog = adminPage.getByRole('dialog', { name: `Roll back to v${before}?` });
      const changed = dialog.getByRole('group', { name: `1 secret changed since v${before}` });
      await expect(changed).toContainText(
        'Signing secret of the webhook to https://orders.acme.test/hooks/identity',
      );
      await expect(changed).toContainText('webhooks.orders-sync.signingSecret');
      const keep = changed.getByRole('radio', { name: 'Keep the current secrets (recommended)' });
      await expect(keep).toBeChecked();
      if (restore) {
        await changed.getByRole('radio', { name: `Restore the secrets of v${before}` }).check();
        await snap(adminPage, 'rollback-restore-secrets');
        await dialog
          .getByRole('button', { name: `Roll back and restore v${before}’s secrets` })
          .click();
      } else {
        await snap(adminPage, 'rollback-keep-secrets');
        await dialog.getByRole('button', { name: `Roll back to v${before}` }).click();
      }
      await adminPage.waitForURL('**/apps/acme-storefront');
      const notice = adminPage
        .getByRole('status')
        .filter({ hasText: new RegExp(`Rolled back to v${before} as v\\d+`) });
      await expect(notice).toContainText(
        restore ? 'restored 1 secret' : 'kept the current value of 1 secret',
      );
      return Number(/as v(\d+)/.exec(await notice.innerText())?.[1]);
    };
    const changesFrom = async (from: number, to: number) => {
      await adminPage.goto(`/apps/acme-storefront/history?from=${from}&to=${to}`);
      return adminPage.getByRole('table', { name: `Changes from v${from} to v${to}` });
    };

    const kept = await rollBack(false);
    let changes = await changesFrom(rotated, kept);
    await expect(changes.getByRole('row', { name: /Sessions › Idle timeout/ })).toBeVisible();
    await expect(changes).not.toContainText('Signing secret');

    const restored = await rollBack(true);
    changes = await changesFrom(kept, restored);
    await expect(changes).toContainText('Signing secret');
    await expect(changes.getByRole('row', { name: /Idle timeout/ })).toHaveCount(0);
  });

  test('an admin rolls back from the history; viewers and support cannot edit', async ({
    adminPage,
    viewerPage,
    supportPage,
  }) => {
    // From v1's own page: the history list pages, and v1 falls off its first page once an app
    // has many versions.
    await adminPage.goto('/apps/acme-mobile/history/1');
    await adminPage.getByRole('button', { name: 'Roll back to v1' }).click();
    const dialog = adminPage.getByRole('dialog', { name: 'Roll back to v1?' });
    await dialog.getByLabel('Reason (optional)').fill(`e2e ${unique()}`);
    await dialog.getByRole('button', { name: 'Roll back to v1' }).click();
    await adminPage.waitForURL('**/apps/acme-mobile');
    await expect(
      adminPage.getByRole('status').filter({ hasText: /Rolled back to v1 as v\d+/ }),
    ).toBeVisible();
    await expect(adminPage.getByText(/Rolled back to v1: e2e/).first()).toBeVisible();

    for (const page of [viewerPage, supportPage]) {
      await page.goto('/apps/acme-mobile/edit');
      await expect(page.getByRole('note')).toContainText('Read-only');
      await expect(page.getByRole('button', { name: /Review changes|Save/ })).toHaveCount(0);
      await page.goto('/apps/acme-mobile/history');
      await expect(page.getByRole('button', { name: /Roll back/ })).toHaveCount(0);
    }
  });
});
