import { expect, type Locator, type Page } from '@playwright/test';

/** The operator's Cache migration page, by roles and labels only. */
export class MigrationPage {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.goto('/migration');
    await expect(this.page.getByRole('heading', { name: 'Cache migration' })).toBeVisible();
    await expect(this.page.getByRole('table', { name: 'Cache deployments' })).toBeVisible();
  }

  step(name: string | RegExp): Locator {
    return this.page.getByRole('button', { name });
  }

  /** Waits for the step's gate to open (its reason reads "Ready."), then takes it. */
  async take(name: string | RegExp, timeout = 60_000) {
    const button = this.step(name);
    await expect(button).toBeEnabled({ timeout });
    await button.click();
  }

  /** The deployment's row in the deployments table. */
  deployment(name: string): Locator {
    return this.page
      .getByRole('table', { name: 'Cache deployments' })
      .getByRole('row')
      .filter({ has: this.page.getByRole('cell', { name, exact: true }) });
  }

  regionsTable(): Locator {
    return this.page.getByRole('table', { name: 'Service instances per region and deployment' });
  }

  /** Waits until every region's "On <target>" cell reads `count/count on <deployment>`. */
  async expectAllOn(deployment: string, regions: string[], count: number, timeout = 60_000) {
    for (const region of regions) {
      const row = this.regionsTable()
        .getByRole('row')
        .filter({ has: this.page.getByRole('cell', { name: region, exact: true }) });
      await expect(row.getByRole('cell').nth(1)).toHaveText(`${count}/${count} on ${deployment}`, {
        timeout,
      });
    }
  }
}
