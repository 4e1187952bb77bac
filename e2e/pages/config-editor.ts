import { expect, type Locator, type Page } from '@playwright/test';

/** The configuration editor at /apps/[appId]/edit, by roles and labels only. */
export class ConfigEditorPage {
  constructor(readonly page: Page) {}

  async open(appId: string) {
    await this.page.goto(`/apps/${appId}/edit`);
    await expect(this.reviewButton).toBeVisible();
    // Filled before hydration, a field can keep its server-rendered text next to the new one.
    await expect(this.page.locator('[data-hydrated]')).toHaveCount(1);
  }

  get reviewButton(): Locator {
    return this.page.getByRole('button', { name: 'Review changes' });
  }

  get reviewDialog(): Locator {
    return this.page.getByRole('dialog', { name: 'Review changes' });
  }

  get saveButton(): Locator {
    return this.reviewDialog.getByRole('button', { name: /^Save as v\d+$/ });
  }

  field(label: string): Locator {
    return this.page.getByLabel(label, { exact: true });
  }

  /** The error text shown with a field: what its aria-describedby points at. */
  async errorOf(control: Locator): Promise<string> {
    const ids = (await control.getAttribute('aria-describedby')) ?? '';
    const texts = await Promise.all(
      ids
        .split(/\s+/)
        .filter(Boolean)
        .map((id) => this.page.locator(`[id="${id}"]`).innerText()),
    );
    return texts.join(' ');
  }

  async review(): Promise<void> {
    await this.reviewButton.click();
    await expect(this.reviewDialog).toBeVisible();
  }

  /** The version the save will create, from the button ("Save as v12"). */
  async nextVersion(): Promise<number> {
    const text = await this.saveButton.innerText();
    return Number(/v(\d+)/.exec(text)?.[1]);
  }

  async save(message?: string): Promise<number> {
    if (message) await this.reviewDialog.getByLabel('Change message (optional)').fill(message);
    const version = await this.nextVersion();
    await this.saveButton.click();
    return version;
  }

  changeRows(scope: Locator = this.reviewDialog): Locator {
    return scope.getByRole('row');
  }
}
