import { expect, type Locator, type Page } from '@playwright/test';

/** /apps/[appId]: the app overview with its live propagation panel (one row per region). */
export class AppPage {
  constructor(readonly page: Page) {}

  async open(appId: string) {
    await this.page.goto(`/apps/${appId}`);
    await expect(this.propagationTable).toBeVisible();
  }

  get propagationTable(): Locator {
    return this.page.getByRole('table', {
      name: 'Where the latest version has reached, per region',
    });
  }

  /** The region rows (header excluded). */
  get regionRows(): Locator {
    return this.propagationTable.locator('tbody').getByRole('row');
  }

  regionRow(region: string): Locator {
    return this.regionRows.filter({ hasText: region });
  }
}
