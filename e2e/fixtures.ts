import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { test as base, expect, type Browser, type Page } from '@playwright/test';
import { fault as stackFault, type FaultAction } from '../devstack/stack';
import { chosenStackDir, TEST_STACK_DIR } from '../devstack/state';
import { DEMO_PASSWORD, DEMO_USERS, type DemoUserKey } from '../lib/seed/demo-users';

const authDir = path.join(import.meta.dirname, '.auth');

/** The devstack the e2e server runs on (scripts/e2e-server.ts uses the same default). */
export function e2eStackDir(): string {
  return chosenStackDir(TEST_STACK_DIR);
}

export function fault(region: string, action: FaultAction, ms?: number) {
  return stackFault(e2eStackDir(), region, action, ms);
}

/** Signs in through the real sign-in form as one of the demo users. */
export async function signIn(page: Page, key: DemoUserKey): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(DEMO_USERS[key].email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/apps');
}

/** Signs in through the real form once per role and worker; later pages reuse the cookie. */
async function storageStateFor(
  browser: Browser,
  baseURL: string,
  key: DemoUserKey,
): Promise<string> {
  const file = path.join(authDir, `${key}.json`);
  mkdirSync(authDir, { recursive: true });
  const context = await browser.newContext({ baseURL });
  await signIn(await context.newPage(), key);
  await context.storageState({ path: file });
  await context.close();
  return file;
}

type RolePages = {
  adminPage: Page;
  viewerPage: Page;
  supportPage: Page;
  globexAdminPage: Page;
};

type AuthFiles = { authFiles: Partial<Record<DemoUserKey, Promise<string>>> };

function rolePage(key: DemoUserKey) {
  return async (
    {
      browser,
      authFiles,
      baseURL,
    }: { browser: Browser; authFiles: AuthFiles['authFiles']; baseURL: string | undefined },
    use: (page: Page) => Promise<void>,
  ) => {
    if (!baseURL) throw new Error('baseURL is not configured');
    authFiles[key] ??= storageStateFor(browser, baseURL, key);
    const context = await browser.newContext({ baseURL, storageState: await authFiles[key] });
    const page = await context.newPage();
    await use(page);
    await context.close();
  };
}

export const test = base.extend<RolePages, AuthFiles>({
  authFiles: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      await use({});
    },
    { scope: 'worker' },
  ],
  adminPage: rolePage('acmeAdmin'),
  viewerPage: rolePage('acmeViewer'),
  supportPage: rolePage('support'),
  globexAdminPage: rolePage('globexAdmin'),
});

export { expect };

/**
 * A screenshot for people reviewing a screen, written only when PROPAGATE_SCREENSHOTS names a
 * folder: the suites never depend on it.
 */
export async function snap(page: Page, name: string): Promise<void> {
  const dir = process.env.PROPAGATE_SCREENSHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}
