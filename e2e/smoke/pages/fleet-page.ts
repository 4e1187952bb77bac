import { expect, type Locator, type Page } from '@playwright/test';

/** /fleet: every app in every region (support staff only; others see a "not permitted" note). */
export class FleetPage {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.goto('/fleet');
    await expect(this.page.getByRole('heading', { level: 1, name: 'Fleet' })).toBeVisible();
  }

  get table(): Locator {
    return this.page.getByRole('table', { name: 'Apps and their state in each region' });
  }
}
