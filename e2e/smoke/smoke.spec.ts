import { expect, guardWrites, test } from './fixtures';
import { SignInPage } from './pages/sign-in-page';

/**
 * Read-only checks QA can point at a staging environment (see target.ts): the API answers,
 * a person can sign in, sees apps, an app's propagation per region, and the fleet. Nothing is
 * saved, created or changed; the fixtures block and report any write.
 */
test.describe('smoke (read-only)', () => {
  test('the API is healthy and publishes its OpenAPI document', async ({ request, target }) => {
    const health = await request.get(`${target.baseURL}/api/health`);
    expect(health.ok()).toBe(true);
    expect(await health.json()).toMatchObject({ ok: true });
    const openapi = await request.get(`${target.baseURL}/api/openapi.json`);
    expect(openapi.ok()).toBe(true);
    expect(await openapi.json()).toMatchObject({
      openapi: expect.stringMatching(/^3\.1\./),
    });
  });

  test('sign-in leads to the apps list with at least one app', async ({ signedIn }) => {
    await signedIn.apps.open();
    expect((await signedIn.apps.appIds()).length).toBeGreaterThan(0);
  });

  test('an app shows where its configuration has reached, per region', async ({
    signedIn,
    target,
  }) => {
    await signedIn.apps.open();
    const appId = target.appId ?? (await signedIn.apps.appIds())[0];
    if (!appId) throw new Error('no app to open');
    await signedIn.app.open(appId);
    await expect(signedIn.app.regionRows.first()).toBeVisible();
    expect(await signedIn.app.regionRows.count()).toBeGreaterThan(0);
  });

  test('the write guard stops a write before it leaves the browser', async ({
    browser,
    target,
  }) => {
    // A page of its own: the suite's pages fail any test that tried to write, this one must try.
    const context = await browser.newContext({ baseURL: target.baseURL });
    const page = await context.newPage();
    try {
      const guard = await guardWrites(page);
      await new SignInPage(page).signIn(target.email, target.password);
      // Signing out is a write (a server action POST): were it sent, the session would end.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await expect.poll(() => guard.writes.length).toBeGreaterThan(0);
      // A script's write is refused too: no answer comes back, not even an error status.
      const scripted = await page.evaluate(async () => {
        try {
          const response = await fetch('/api/apps/smoke-guard/rollback', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{}',
          });
          return `answered ${response.status}`;
        } catch {
          return 'blocked';
        }
      });
      expect(scripted).toBe('blocked');
      expect(guard.writes).toContainEqual(
        expect.stringMatching(/^POST .*\/api\/apps\/smoke-guard\/rollback$/),
      );
      expect(guard.writes.every((w) => !w.includes('/sign-in'))).toBe(true);
      // Still signed in: the sign-out never reached the server.
      await page.goto('/apps');
      await expect(page).toHaveURL(/\/apps$/);
      await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
    } finally {
      await context.close();
    }
  });

  test('the fleet page answers (its table for support staff)', async ({ signedIn, page }) => {
    await signedIn.fleet.open();
    const notPermitted = page.getByText('support staff', { exact: false });
    await expect(signedIn.fleet.table.or(notPermitted).first()).toBeVisible();
  });
});
