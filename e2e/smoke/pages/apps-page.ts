import { expect, type Locator, type Page } from '@playwright/test';

/** /apps: the apps the signed-in user may see, one row per app with a link to its page. */
export class AppsPage {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.goto('/apps');
    await expect(this.table).toBeVisible();
  }

  get table(): Locator {
    return this.page.getByRole('table', { name: 'Apps and their current configuration version' });
  }

  /** Links to each app's page, in the order listed. */
  get appLinks(): Locator {
    return this.table.getByRole('link');
  }

  /** The app ids listed on this page (from the links' targets). */
  async appIds(): Promise<string[]> {
    const hrefs = await this.appLinks.evaluateAll((links) =>
      links.map((a) => a.getAttribute('href') ?? ''),
    );
    return [
      ...new Set(
        hrefs.map((h) => /^\/apps\/([^/?#]+)$/.exec(h)?.[1]).filter((id): id is string => !!id),
      ),
    ];
  }
}
