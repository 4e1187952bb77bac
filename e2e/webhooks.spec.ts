import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { expect, snap, test } from './fixtures';
import { ConfigEditorPage } from './pages/config-editor';

/**
 * Event notifications in the browser: an admin registers an endpoint (a receiver run by this
 * test, which verifies every signature), saves a config, watches the deliveries arrive in the
 * log (the first attempt refused, the retry taken), resends one, and deletes the endpoint.
 */

interface Hit {
  id: string;
  type: string;
  verified: boolean;
}

function startReceiver() {
  const hits: Hit[] = [];
  const handled = new Set<string>();
  let secret = '';
  let refuseFirst = true;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      let verified = false;
      try {
        new Webhook(secret).verify(body, req.headers as Record<string, string>);
        verified = true;
      } catch {
        verified = false;
      }
      const id = String(req.headers['webhook-id']);
      hits.push({ id, type: (JSON.parse(body) as { type: string }).type, verified });
      if (!verified) return res.writeHead(401).end();
      if (refuseFirst) {
        refuseFirst = false;
        return res.writeHead(500).end();
      }
      handled.add(id);
      res.writeHead(200).end('ok');
    });
  });
  return {
    hits,
    handled,
    server,
    setSecret: (value: string) => (secret = value),
    async listen() {
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
  };
}

test('register an endpoint, see its deliveries (with a retry), resend one, delete it', async ({
  adminPage: page,
}) => {
  test.setTimeout(120_000);
  const receiver = startReceiver();
  const url = `${await receiver.listen()}/e2e-${Date.now()}`;
  try {
    await page.goto('/webhooks');
    await expect(page.getByRole('heading', { name: 'Webhooks', level: 1 })).toBeVisible();
    await page.getByLabel('Endpoint URL').fill(url);
    await page.getByLabel('Description').fill('E2E receiver');
    await page.getByLabel(/Configuration saved/).check();
    await page.getByLabel('Acme Mobile').check();
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const secretBox = page.getByRole('textbox', { name: 'Signing secret' });
    await expect(secretBox).toHaveValue(/^whsec_/);
    receiver.setSecret(await secretBox.inputValue());
    await page.getByRole('button', { name: 'I’ve saved it' }).click();

    await page.getByRole('link', { name: url }).click();
    await expect(page.getByText('No deliveries yet')).toBeVisible();

    const editor = new ConfigEditorPage(page);
    await editor.open('acme-mobile');
    await editor.field('Idle timeout').fill(String(1_000 + Math.floor(Math.random() * 19_000)));
    await editor.review();
    const version = await editor.save('e2e webhooks');
    await page.waitForURL('**/apps/acme-mobile');

    await page.goto('/webhooks');
    await page.getByRole('link', { name: url }).click();
    const deliveries = page.getByRole('table', { name: /Deliveries to this endpoint/ });
    const saved = deliveries.getByRole('row').filter({ hasText: 'config.saved' });
    const converged = deliveries.getByRole('row').filter({ hasText: 'config.converged' });
    // The receiver refused the first attempt; the worker retried it (the page refreshes itself).
    await expect(saved.or(converged).filter({ hasText: 'Delivered' })).toHaveCount(2, {
      timeout: 30_000,
    });
    await expect(saved).toContainText(`acme-mobile v${version}`);
    expect(receiver.hits.every((h) => h.verified)).toBe(true);
    expect(receiver.hits.filter((h) => h.type === 'config.saved').length).toBeGreaterThanOrEqual(1);
    await snap(page, 'webhooks-deliveries');

    const savedId = receiver.hits.find((h) => h.type === 'config.saved')?.id;
    const before = receiver.hits.filter((h) => h.id === savedId).length;
    await saved.getByRole('button', { name: /^Resend config.saved/ }).click();
    await expect(
      page.getByRole('status').filter({ hasText: 'Resending config.saved' }),
    ).toBeVisible();
    await expect.poll(() => receiver.hits.filter((h) => h.id === savedId).length).toBe(before + 1);
    // Same id again: a receiver that deduplicates handles it once.
    expect([...receiver.handled].filter((id) => id === savedId)).toHaveLength(1);
    // The log counts the resend as one more attempt (column "Attempts").
    await expect(saved.getByRole('cell').nth(4)).toHaveText(new RegExp(`^${before + 1}`));

    await page.getByRole('button', { name: 'Delete endpoint' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete endpoint' }).click();
    await page.waitForURL('**/webhooks');
    await expect(page.getByRole('link', { name: url })).toHaveCount(0);
  } finally {
    receiver.server.close();
  }
});

test('viewers do not manage webhooks', async ({ viewerPage }) => {
  await viewerPage.goto('/webhooks');
  await expect(viewerPage.getByText('Only an admin of an account adds and manages')).toBeVisible();
  await expect(
    viewerPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Webhooks' }),
  ).toHaveCount(0);
});
