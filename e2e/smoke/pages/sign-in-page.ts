import { expect, type Page } from '@playwright/test';

/** /sign-in. `signIn` fills the form and waits for the apps list, where sign-in lands. */
export class SignInPage {
  constructor(readonly page: Page) {}

  async signIn(email: string, password: string) {
    await this.page.goto('/sign-in');
    await this.page.getByLabel('Email').fill(email);
    await this.page.getByLabel('Password').fill(password);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
    await this.page.waitForURL('**/apps');
    await expect(this.page.getByRole('heading', { level: 1, name: 'Apps' })).toBeVisible();
  }
}
