import { test as base, expect, type Page, type Request } from '@playwright/test';
import { baseURL } from '../../playwright.config';
import { AppPage } from './pages/app-page';
import { AppsPage } from './pages/apps-page';
import { FleetPage } from './pages/fleet-page';
import { SignInPage } from './pages/sign-in-page';
import { smokeTarget, type SmokeTarget } from './target';

/**
 * Fixtures of the read-only smoke suite: the target, page objects on a signed-in page, and a
 * guard that fails any test whose browser sends a write. The one POST allowed is the sign-in
 * form itself. Each test reports what it sent (`read-only` annotation and a stdout line).
 */
interface SmokeFixtures {
  target: SmokeTarget;
  signedIn: { apps: AppsPage; app: AppPage; fleet: FleetPage };
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

function isSignIn(request: Request): boolean {
  return request.method() === 'POST' && new URL(request.url()).pathname === '/sign-in';
}

export interface WriteGuard {
  /** Every request the page sent (reads and the sign-in form). */
  requests: () => number;
  /** The writes refused, as `METHOD url`. */
  writes: string[];
}

/**
 * Refuses every write before it leaves the browser: anything but GET, HEAD and OPTIONS, except
 * the sign-in form. A refused write never reaches the environment; it is recorded instead.
 */
export async function guardWrites(page: Page): Promise<WriteGuard> {
  let requests = 0;
  const writes: string[] = [];
  await page.route('**/*', async (route) => {
    const request = route.request();
    requests += 1;
    if (READS.has(request.method()) || isSignIn(request)) return route.fallback();
    writes.push(`${request.method()} ${request.url()}`);
    return route.abort('blockedbyclient');
  });
  return { requests: () => requests, writes };
}

export const test = base.extend<SmokeFixtures>({
  // eslint-disable-next-line no-empty-pattern -- Playwright fixtures take their dependencies first
  target: async ({}, provide) => {
    await provide(smokeTarget(baseURL));
  },
  page: async ({ page }, provide, testInfo) => {
    const { requests, writes } = await guardWrites(page);
    await provide(page);
    const line = `read-only: ${requests()} requests, ${writes.length} writes blocked${writes.length ? `: ${writes.join(', ')}` : ''}`;
    testInfo.annotations.push({ type: 'read-only', description: line });
    console.log(`[smoke] ${testInfo.title}: ${line}`);
    expect(writes, 'the smoke suite must never write').toEqual([]);
  },
  signedIn: async ({ page, target }, provide) => {
    await new SignInPage(page).signIn(target.email, target.password);
    await provide({ apps: new AppsPage(page), app: new AppPage(page), fleet: new FleetPage(page) });
  },
});

export { expect };
