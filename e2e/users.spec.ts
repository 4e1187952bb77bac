import { randomBytes } from 'node:crypto';
import { DEMO_USERS } from '../lib/seed/demo-users';
import { expect, snap, test } from './fixtures';

/**
 * The team in the browser: an admin invites a viewer, who accepts in another browser and signs
 * in with view-only rights; the admin changes their role and disables them (their session ends
 * at once); the last admin cannot be demoted; viewers and other tenants' admins see none of it.
 */

test('an admin invites a viewer, who joins from another browser; role change and disable', async ({
  adminPage: page,
  browser,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const email = `e2e-${randomBytes(3).toString('hex')}@example.test`;
  await page.goto('/users');
  await snap(page, 'users-page');
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Role', { exact: true }).selectOption('viewer');
  await page.getByRole('button', { name: 'Create invitation link' }).click();
  const linkBox = page.getByRole('textbox', { name: 'Invitation link' });
  await expect(linkBox).toHaveValue(/\/invite\/inv_/);
  const link = await linkBox.inputValue();
  await snap(page, 'users-invitation-link');

  const other = await browser.newContext({ baseURL });
  const invitee = await other.newPage();
  await invitee.goto(link);
  await expect(invitee.getByRole('heading', { name: /You’re invited to/ })).toBeVisible();
  await snap(invitee, 'invite-accept');
  await invitee.getByLabel('Your name').fill('Erin Example');
  await invitee.getByLabel('Password', { exact: true }).fill('erin-long-password');
  await invitee.getByLabel('Password again').fill('erin-long-password');
  await invitee.getByRole('button', { name: 'Create my account' }).click();
  await invitee.getByRole('link', { name: `Sign in as ${email}` }).click();
  await invitee.getByLabel('Email').fill(email);
  await invitee.getByLabel('Password').fill('erin-long-password');
  await invitee.getByRole('button', { name: 'Sign in' }).click();
  await invitee.waitForURL('**/apps');
  await expect(invitee.getByRole('link', { name: 'New app' })).toHaveCount(0);
  await expect(invitee.getByRole('navigation', { name: 'Main' })).not.toContainText('Users');
  await invitee.goto('/apps/acme-storefront/edit');
  await expect(invitee.getByText('Read-only')).toBeVisible();
  // The link worked once.
  await invitee.goto(link);
  await expect(invitee.getByText('This invitation was already used.')).toBeVisible();

  await page.goto('/users');
  const row = page.getByRole('row').filter({ hasText: email });
  await expect(row).toContainText('Erin Example');
  await expect(row.getByRole('cell').nth(4)).not.toHaveText('Never');
  await snap(page, 'users-after-accept');
  await row.getByLabel('Role of Erin Example').selectOption('admin');
  await row.getByRole('button', { name: 'Change role' }).click();
  await expect(page.getByText('Erin Example is now admin')).toBeVisible();
  await row.getByLabel('Role of Erin Example').selectOption('viewer');
  await row.getByRole('button', { name: 'Change role' }).click();
  await expect(page.getByText('Erin Example is now viewer')).toBeVisible();

  await row.getByRole('button', { name: 'Disable Erin Example' }).click();
  await expect(row).toContainText('Disabled');
  await invitee.goto('/apps');
  await invitee.waitForURL('**/sign-in**');
  await other.close();
});

test('the last admin cannot be demoted; viewers and other tenants see no one', async ({
  adminPage,
  viewerPage,
  globexAdminPage,
}) => {
  await adminPage.goto('/users');
  const me = adminPage.getByRole('row').filter({ hasText: DEMO_USERS.acmeAdmin.email });
  await expect(me.getByRole('button', { name: /Disable/ })).toHaveCount(0);
  await me.getByLabel(/^Role of/).selectOption('viewer');
  await me.getByRole('button', { name: 'Change role' }).click();
  await expect(me.getByRole('alert')).toContainText('is the only admin of this organisation');

  await viewerPage.goto('/users');
  await expect(viewerPage.getByText('Your role does not include this page')).toBeVisible();

  await globexAdminPage.goto('/users');
  await expect(globexAdminPage.getByRole('table')).not.toContainText('@acme.test');
});

test('own account: a wrong current password is refused', async ({ viewerPage: page }) => {
  await page.goto('/account');
  await snap(page, 'account-page');
  await page.getByLabel('Current password').fill('not my password');
  await page.getByLabel('New password', { exact: true }).fill('another long password');
  await page.getByLabel('New password again').fill('another long password');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('That is not your current password.').first()).toBeVisible();
});
