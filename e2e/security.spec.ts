import type { Page } from '@playwright/test';
import { DEMO_PASSWORD, DEMO_USERS } from '../lib/seed/demo-users';
import { expect, test } from './fixtures';

/**
 * What a black-box attacker probes first: the headers every page carries, that the pages still
 * work under the CSP they announce, and that `next` after signing in never leaves the site.
 */

function cspViolations(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to (load|execute|apply)/i.test(message.text())) {
      seen.push(message.text());
    }
  });
  return seen;
}

test.describe('security headers', () => {
  for (const path of ['/sign-in', '/apps', '/apps/acme-storefront', '/tokens', '/audit']) {
    test(`${path} forbids framing, sniffing and foreign scripts`, async ({ adminPage }) => {
      const first = await adminPage.request.get(path);
      expect(first.status()).toBeLessThan(400);
      const h = first.headers();
      expect(h['x-frame-options']).toBe('DENY');
      expect(h['x-content-type-options']).toBe('nosniff');
      expect(h['referrer-policy']).toBe('strict-origin-when-cross-origin');
      const csp = h['content-security-policy'] ?? '';
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
      expect(csp).not.toContain('unsafe-eval');
      // A nonce an attacker saw once is worthless on the next request.
      const again = (await adminPage.request.get(path)).headers()['content-security-policy'];
      expect(again).not.toBe(csp);
    });
  }

  test('route handlers say nosniff and cannot be framed either', async ({ adminPage }) => {
    const h = (await adminPage.request.get('/api/regions')).headers();
    expect(h['x-content-type-options']).toBe('nosniff');
    expect(h['x-frame-options']).toBe('DENY');
  });

  test('the dashboard works under its CSP: no violation while signing in, editing and browsing', async ({
    page,
  }) => {
    const violations = cspViolations(page);
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill(DEMO_USERS.acmeAdmin.email);
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/apps');
    await page
      .getByRole('link', { name: /Acme Storefront/ })
      .first()
      .click();
    await page.waitForURL('**/apps/acme-storefront');
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await page.goto('/apps/acme-storefront/history');
    await page.goto('/tokens');
    // The regions page polls from the browser: an answer proves the page's scripts ran.
    const polled = page.waitForResponse('**/api/regions');
    await page.goto('/regions');
    expect((await polled).ok()).toBe(true);
    expect(violations).toEqual([]);
  });
});

test.describe('where signing in leads', () => {
  const attempts: [string, string][] = [
    ['tab', '/%09/evil.example'],
    ['newline', '/%0A/evil.example'],
    ['backslash', '/%5Cevil.example'],
    ['protocol-relative', '//evil.example'],
    ['encoded slashes', '/%2F%2Fevil.example'],
    ['absolute', 'https://evil.example/'],
  ];
  for (const [name, next] of attempts) {
    test(`next=${next} (${name}) stays on the site`, async ({ page, baseURL }) => {
      await page.goto(`/sign-in?next=${next}`);
      await page.getByLabel('Email').fill(DEMO_USERS.acmeViewer.email);
      await page.getByLabel('Password').fill(DEMO_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      // Wherever the browser goes next; on the old code a tab or a newline led to evil.example.
      await page.waitForURL((url) => url.pathname !== '/sign-in');
      expect(new URL(page.url()).origin).toBe(new URL(baseURL!).origin);
      expect(new URL(page.url()).pathname).toBe('/apps');
    });
  }

  test('a same-site next is honoured', async ({ page }) => {
    await page.goto('/sign-in?next=/apps/acme-storefront/history');
    await page.getByLabel('Email').fill(DEMO_USERS.acmeViewer.email);
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/apps/acme-storefront/history');
  });
});
