import { randomBytes } from 'node:crypto';
import { request as httpRequest, type Browser, type Page, type Request } from '@playwright/test';
import { DEMO_PASSWORD, DEMO_USERS } from '../lib/seed/demo-users';
import { expect, test } from './fixtures';

/**
 * Roles in the browser: what each role is shown, and that what it is not shown is also refused
 * when forged. Server actions are replayed outside the UI with a captured `Next-Action` id.
 */

const INVALID_CREDENTIALS = 'That email and password do not match an account.';
const unique = () => randomBytes(3).toString('hex');

async function navLinks(page: Page): Promise<string[]> {
  await page.goto('/apps');
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link').allInnerTexts();
}

interface CapturedAction {
  url: string;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * Runs `trigger` and captures the server action request it sends, which is aborted: the capture
 * is a forger's template, and the admin's own request must not write anything.
 */
async function captureAction(page: Page, trigger: () => Promise<void>): Promise<CapturedAction> {
  let captured: Request | undefined;
  await page.route('**/*', async (route) => {
    const request = route.request();
    if (request.method() === 'POST' && (await request.headerValue('next-action'))) {
      captured = request;
      await route.abort();
    } else await route.fallback();
  });
  await trigger();
  await expect.poll(() => captured !== undefined).toBe(true);
  await page.unrouteAll({ behavior: 'ignoreErrors' });
  const request = captured!;
  const all = await request.allHeaders();
  return {
    url: request.url(),
    headers: {
      'next-action': all['next-action'] ?? '',
      'content-type': all['content-type'] ?? '',
      accept: 'text/x-component',
      ...(all['next-router-state-tree'] && {
        'next-router-state-tree': all['next-router-state-tree'],
      }),
    },
    body: request.postDataBuffer() ?? Buffer.alloc(0),
  };
}

/** Sends a captured action with the cookies of `page`'s context and the given Origin. */
async function replay(page: Page, action: CapturedAction, origin: string) {
  const response = await page.request.post(action.url, {
    headers: { ...action.headers, origin },
    data: action.body,
    maxRedirects: 0,
  });
  return { status: response.status(), text: await response.text() };
}

async function signInFresh(browser: Browser, baseURL: string, email: string) {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/apps');
  return { context, page };
}

test.describe('what each role is shown', () => {
  test('an admin manages their account but has no fleet view', async ({ adminPage }) => {
    expect(await navLinks(adminPage)).toEqual([
      'Apps',
      'Regions',
      'Audit log',
      'API tokens',
      'Webhooks',
      'Users',
      'API',
    ]);
    await expect(
      adminPage.getByRole('link', { name: 'Acme Storefront', exact: true }),
    ).toBeVisible();
    await expect(adminPage.getByText('Globex Web')).toHaveCount(0);
  });

  test('a viewer reads, with no save button and no admin pages', async ({ viewerPage }) => {
    expect(await navLinks(viewerPage)).toEqual(['Apps', 'Regions', 'API']);
    await viewerPage.goto('/apps/acme-storefront/edit');
    await expect(viewerPage.getByRole('heading', { name: 'Acme Storefront' })).toBeVisible();
    await expect(viewerPage.getByRole('button', { name: /review changes|save/i })).toHaveCount(0);
    for (const path of ['/tokens', '/audit']) {
      await viewerPage.goto(path);
      await expect(viewerPage.getByText('Your role does not include this page')).toBeVisible();
    }
  });

  test('an admin of another tenant sees none of Acme, even by URL', async ({ globexAdminPage }) => {
    await globexAdminPage.goto('/apps');
    await expect(globexAdminPage.getByText('Acme Storefront')).toHaveCount(0);
    const response = await globexAdminPage.goto('/apps/acme-storefront');
    expect(response?.status()).toBe(404);
    const api = await globexAdminPage.request.get('/api/apps/acme-storefront/propagation');
    expect(api.status()).toBe(404);
  });

  test('support sees every tenant on the fleet page and the audit log, but no tokens', async ({
    supportPage,
  }) => {
    // Support follows cache migrations read-only; only operators run them.
    expect(await navLinks(supportPage)).toEqual([
      'Apps',
      'Fleet',
      'Regions',
      'Cache migration',
      'Audit log',
      'Users',
      'API',
    ]);
    await supportPage.goto('/fleet');
    const fleet = supportPage.getByRole('table', { name: 'Apps and their state in each region' });
    await expect(fleet.getByRole('cell', { name: 'acme', exact: true }).first()).toBeVisible();
    await expect(fleet.getByRole('cell', { name: 'globex', exact: true }).first()).toBeVisible();
    await supportPage.goto('/apps/acme-storefront/edit');
    await expect(supportPage.getByRole('button', { name: /review changes|save/i })).toHaveCount(0);
  });
});

test.describe('sessions', () => {
  test('the session cookie is httpOnly, SameSite=Lax, Secure and ends within 8 hours', async ({
    adminPage,
  }) => {
    await adminPage.goto('/apps');
    const cookie = (await adminPage.context().cookies()).find(
      (c) => c.name === 'propagate_session',
    );
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: true, path: '/' });
    const hoursLeft = (cookie!.expires * 1000 - Date.now()) / 3_600_000;
    expect(hoursLeft).toBeGreaterThan(0);
    expect(hoursLeft).toBeLessThanOrEqual(8);
  });

  test('a wrong password and an unknown email get the same answer', async ({ page }) => {
    for (const email of [DEMO_USERS.globexViewer.email, `nobody-${unique()}@globex.test`]) {
      await page.goto('/sign-in');
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill('not-the-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.locator('form').getByRole('alert')).toHaveText(INVALID_CREDENTIALS);
    }
  });

  test('signing out ends the session, and a copy of its cookie no longer works', async ({
    browser,
    baseURL,
  }) => {
    // Globex's viewer is not one of the shared fixture sessions, which sign-out would end.
    const { context, page } = await signInFresh(browser, baseURL!, DEMO_USERS.globexViewer.email);
    const copy = await context.cookies();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/sign-in');

    const replayed = await browser.newContext({ baseURL });
    await replayed.addCookies(copy);
    const again = await replayed.newPage();
    await again.goto('/apps');
    await expect(again).toHaveURL(/\/sign-in/);
    await replayed.close();
    await context.close();
  });
});

test.describe('forged requests', () => {
  test('a viewer replaying the save action is refused and nothing is saved', async ({
    adminPage,
    viewerPage,
  }) => {
    await adminPage.goto('/apps/acme-mobile/edit');
    const saveButton = adminPage.getByRole('button', { name: /^Save as v\d+$/ });
    const forged = await captureAction(adminPage, async () => {
      await adminPage.getByLabel('Display name').fill(`Forged ${unique()}`);
      await adminPage.getByRole('button', { name: 'Review changes' }).click();
      await saveButton.click();
    });
    const headVersion = async () => {
      const status = await adminPage.request.get('/api/apps/acme-mobile/propagation');
      return ((await status.json()) as { head: { version: number } | null }).head?.version;
    };
    const before = await headVersion();
    expect(before).toBeGreaterThan(0);

    await viewerPage.goto('/apps/acme-mobile');
    const result = await replay(viewerPage, forged, new URL(forged.url).origin);
    expect(result.text).toContain('"status":"error"');
    expect(result.text).toContain('"code":"forbidden"');

    expect(await headVersion()).toBe(before);
  });

  test('a server action posted from another origin is refused and writes nothing', async ({
    adminPage,
  }) => {
    await adminPage.goto('/tokens');
    const name = `csrf probe ${unique()}`;
    const create = await captureAction(adminPage, async () => {
      await adminPage.getByLabel('Name').fill(name);
      await adminPage.getByRole('button', { name: 'Create token' }).click();
    });

    const evil = await replay(adminPage, create, 'http://evil.example');
    expect(evil.status).toBeGreaterThanOrEqual(400);
    expect(evil.text).not.toContain('prp_');
    await adminPage.goto('/tokens');
    await expect(adminPage.getByRole('cell', { name, exact: true })).toHaveCount(0);

    // The same request from the dashboard's own origin works: the refusal was the Origin alone.
    const own = await replay(adminPage, create, new URL(create.url).origin);
    expect(own.status).toBe(200);
    expect(own.text).toContain('prp_');
    await adminPage.reload();
    await expect(adminPage.getByRole('cell', { name, exact: true })).toBeVisible();
  });
});

test('an API token is shown once, works as a Bearer token for its tenant, and stops when revoked', async ({
  adminPage,
  baseURL,
}) => {
  await adminPage.goto('/tokens');
  const name = `e2e pipeline ${unique()}`;
  await adminPage.getByLabel('Name').fill(name);
  await adminPage.getByLabel('Read only').check();
  await adminPage.getByRole('button', { name: 'Create token' }).click();
  await expect(adminPage.getByText('You won’t be able to see it again')).toBeVisible();
  const secret = await adminPage.getByLabel('New API token').inputValue();
  expect(secret).toMatch(/^prp_[\w-]{43}$/);

  // A client with no cookies at all: only the token speaks for it.
  const api = await httpRequest.newContext({
    baseURL,
    extraHTTPHeaders: { authorization: `Bearer ${secret}` },
  });
  expect((await api.get('/api/regions')).status()).toBe(200);
  expect((await api.get('/api/apps/acme-storefront/propagation')).status()).toBe(200);
  expect((await api.get('/api/apps/globex-web/propagation')).status()).toBe(404);

  // Shown once: after a reload the secret is nowhere on the page, only its prefix; last use shows.
  const row = adminPage.getByRole('row').filter({ hasText: name });
  await expect(async () => {
    await adminPage.reload();
    await expect(row).not.toContainText('Never', { timeout: 1_000 });
  }).toPass({ timeout: 10_000 });
  await expect(row).toContainText(secret.slice(0, 10));
  expect(await adminPage.content()).not.toContain(secret);

  await row.getByRole('button', { name: `Revoke ${name}` }).click();
  await adminPage.getByRole('button', { name: 'Revoke token' }).click();
  await expect(adminPage.getByRole('status').filter({ hasText: 'revoked' })).toBeVisible();
  await expect(row).toContainText('Revoked');
  expect((await api.get('/api/regions')).status()).toBe(401);
  await api.dispose();
});
