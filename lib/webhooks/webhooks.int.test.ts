import { once } from 'node:events';
import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';

import { createWebhookEndpoint } from '@/lib/actions/create-webhook-endpoint';
import { resendWebhookDelivery } from '@/lib/actions/resend-webhook-delivery';
import { saveConfig } from '@/lib/actions/save-config';
import { collections } from '@/lib/db/collections';
import { readHead } from '@/lib/db/heads';
import { listDeliveries } from '@/lib/db/webhook-deliveries';
import { maskSecrets } from '@/lib/secrets';
import type { WebhookEventType } from '@/lib/schemas/webhooks';
import { WebhookDispatcher } from '@/lib/webhooks/dispatcher';
import { createPushedApp, removeApps } from '@/test/helpers/propagation';
import { runId } from '@/test/helpers/auth';
import { closeStores } from '@/test/helpers/stores';
import { testPrincipal } from '@/test/helpers/principals';

/**
 * Event delivery end to end on the devstack's MongoDB and Redis: saves through the real action,
 * the dispatcher the worker runs, and a receiver that verifies every signature with the
 * reference Standard Webhooks library and hands each event id to its handler once.
 */

const run = runId();
const tenant = `wh-${run}`;
const admin = testPrincipal('admin', tenant, run);
const created: string[] = [];

interface Received {
  path: string;
  id: string;
  type: string;
  at: number;
  verified: boolean;
}

/** A receiver as a customer would write one: verify, deduplicate by id, then handle. */
class Receiver {
  server!: Server;
  url = '';
  readonly requests: Received[] = [];
  readonly handled: Received[] = [];
  readonly secrets = new Map<string, string>();
  /** Per path: how many more requests to fail, and how long to wait before answering. */
  readonly failures = new Map<string, number>();
  readonly delays = new Map<string, number>();

  async start() {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => void this.answer(req.url ?? '/', req.headers, body, res));
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async answer(
    path: string,
    headers: IncomingHttpHeaders,
    body: string,
    res: ServerResponse,
  ) {
    const secret = this.secrets.get(path) ?? '';
    let verified = false;
    try {
      new Webhook(secret).verify(body, headers as Record<string, string>);
      verified = true;
    } catch {
      verified = false;
    }
    const received = {
      path,
      id: String(headers['webhook-id']),
      type: (JSON.parse(body) as { type: string }).type,
      at: Date.now(),
      verified,
    };
    this.requests.push(received);
    const delay = this.delays.get(path) ?? 0;
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
    if (!verified) return res.writeHead(401).end();
    const failing = this.failures.get(path) ?? 0;
    if (failing > 0) {
      this.failures.set(path, failing - 1);
      return res.writeHead(503).end('try later');
    }
    if (!this.handled.some((h) => h.path === path && h.id === received.id)) {
      // When the handler ran (after any delay), not when the request came in.
      this.handled.push({ ...received, at: Date.now() });
    }
    res.writeHead(204).end();
  }

  handledAt(path: string, type?: WebhookEventType) {
    return this.handled.filter((h) => h.path === path && (!type || h.type === type));
  }
}

const receiver = new Receiver();
let dispatcher: WebhookDispatcher;

/** The worker's dispatcher with short retries; `loopback` as the devstack (true) or production. */
function testDispatcher(loopback: boolean) {
  return new WebhookDispatcher({
    policy: { allowLoopback: loopback },
    timeoutMs: 3_000,
    retryBaseMs: loopback ? 100 : 60_000,
    pollMs: 50,
    log: () => {},
  }).start();
}

async function addEndpoint(path: string, eventTypes: WebhookEventType[], appIds: string[] = []) {
  const result = await createWebhookEndpoint.run(admin, {
    url: `${receiver.url}${path}`,
    description: `int test ${path}`,
    eventTypes,
    appIds,
  });
  if (result.status !== 'ok') throw new Error(`endpoint not created: ${JSON.stringify(result)}`);
  receiver.secrets.set(path, result.data.secret);
  return result.data.endpoint;
}

async function save(appId: string, displayName: string) {
  const head = await readHead(appId);
  if (!head) throw new Error('no head');
  const config = maskSecrets(head.data);
  const result = await saveConfig.run(admin, {
    appId,
    baseVersion: head.version,
    config: { ...config, branding: { ...config.branding, displayName } },
    message: displayName,
  });
  if (result.status !== 'ok') throw new Error(`save failed: ${JSON.stringify(result)}`);
  return result.data.version;
}

async function until<T>(what: string, check: () => T | Promise<T>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

beforeAll(async () => {
  await receiver.start();
  dispatcher = testDispatcher(true);
});

afterEach(async () => {
  const c = await collections();
  await c.webhookEndpoints.deleteMany({ tenantId: tenant });
});

afterAll(async () => {
  await dispatcher.stop();
  receiver.server.close();
  const c = await collections();
  await Promise.all([
    c.webhookEndpoints.deleteMany({ tenantId: tenant }),
    c.webhookEvents.deleteMany({ tenantId: tenant }),
    c.webhookDeliveries.deleteMany({ tenantId: tenant }),
  ]);
  await removeApps(created);
  await closeStores();
});

describe('event notifications', () => {
  it('signs every notification so the reference library verifies it; saved and pushed arrive', async () => {
    const app = await createPushedApp(tenant, created, 'wh');
    await addEndpoint('/all', ['config.saved', 'config.pushed'], [app._id]);
    const version = await save(app._id, 'Signed');
    await until('saved and pushed', () => receiver.handledAt('/all').length >= 2);
    const types = receiver.handledAt('/all').map((h) => h.type);
    expect(types.sort()).toEqual(['config.pushed', 'config.saved']);
    expect(receiver.requests.filter((r) => r.path === '/all').every((r) => r.verified)).toBe(true);
    const c = await collections();
    const saved = await c.webhookEvents.findOne({ tenantId: tenant, type: 'config.saved' });
    expect(JSON.parse(saved?.body ?? '{}')).toMatchObject({
      type: 'config.saved',
      data: { tenantId: tenant, appId: app._id, version, message: 'Signed' },
    });
  });

  it('an endpoint failing three times then succeeding gets the event once, with every attempt logged', async () => {
    const app = await createPushedApp(tenant, created, 'wh');
    const endpoint = await addEndpoint('/flaky', ['config.saved'], [app._id]);
    receiver.failures.set('/flaky', 3);
    await save(app._id, 'Flaky');
    await until('the fourth attempt', () => receiver.handledAt('/flaky').length === 1);
    const [delivery] = await until('the delivery marked delivered', async () => {
      const list = await listDeliveries({ tenantId: tenant, endpointId: endpoint._id });
      return list[0]?.status === 'delivered' ? list : null;
    });
    const requests = receiver.requests.filter((r) => r.path === '/flaky');
    expect(requests).toHaveLength(4);
    // The same id on every attempt: the receiver's handler ran once.
    expect(new Set(requests.map((r) => r.id)).size).toBe(1);
    expect(delivery?.eventId).toBe(requests[0]?.id);
    expect(delivery?.attemptCount).toBe(4);
    expect(delivery?.attempts.map((a) => a.responseCode)).toEqual([503, 503, 503, 204]);
    expect(delivery?.attempts.every((a) => a.latencyMs >= 0)).toBe(true);
    // Backoff: the third retry waits at least half of base·2² = 200 ms.
    const gaps = requests.slice(1).map((r, i) => r.at - (requests[i]?.at ?? 0));
    expect(gaps[2]).toBeGreaterThanOrEqual(190);

    // Resend: the same id again; the receiver sees it and does not handle it twice.
    const resent = await resendWebhookDelivery.run(admin, {
      endpointId: endpoint._id,
      deliveryId: delivery?._id,
    });
    expect(resent.status).toBe('ok');
    await until(
      'the resend',
      () => receiver.requests.filter((r) => r.path === '/flaky').length === 5,
    );
    expect(receiver.requests.at(-1)?.id).toBe(delivery?.eventId);
    expect(receiver.handledAt('/flaky')).toHaveLength(1);
    await until('the resend logged', async () => {
      const [after] = await listDeliveries({ tenantId: tenant, endpointId: endpoint._id });
      return after?.attemptCount === 5 && after.status === 'delivered';
    });
  });

  it('a slow endpoint delays neither the save nor another endpoint', async () => {
    const app = await createPushedApp(tenant, created, 'wh');
    await addEndpoint('/slow', ['config.saved'], [app._id]);
    await addEndpoint('/fast', ['config.saved'], [app._id]);
    receiver.delays.set('/slow', 2_000);
    const started = Date.now();
    await save(app._id, 'Slow');
    const saveMs = Date.now() - started;
    await until('the fast endpoint', () => receiver.handledAt('/fast').length === 1);
    const fastAt = receiver.handledAt('/fast')[0]?.at ?? 0;
    await until('the slow endpoint', () => receiver.handledAt('/slow').length === 1, 10_000);
    const slowAt = receiver.handledAt('/slow')[0]?.at ?? 0;
    expect(saveMs).toBeLessThan(1_500);
    // The fast one was handled long before the slow one answered.
    expect(fastAt - started).toBeLessThan(1_500);
    expect(slowAt - fastAt).toBeGreaterThan(1_000);
  });

  it('refuses private, link-local and loopback addresses, when registering and when delivering', async () => {
    for (const url of [
      'https://10.0.0.5/hook',
      'https://169.254.169.254/latest',
      'https://[fd00::1]/x',
    ]) {
      const result = await createWebhookEndpoint.run(admin, { url, eventTypes: ['config.saved'] });
      expect(result.status, url).toBe('invalid');
      if (result.status === 'invalid') expect(result.fieldErrors.url?.[0]).toMatch(/private/);
    }
    // Registered while loopback was allowed, delivered by a worker that allows it no more: the
    // name is resolved when the attempt connects, and the answer is refused.
    const app = await createPushedApp(tenant, created, 'wh');
    const port = new URL(receiver.url).port;
    const result = await createWebhookEndpoint.run(admin, {
      url: `https://localhost:${port}/guarded`,
      eventTypes: ['config.saved'],
      appIds: [app._id],
    });
    if (result.status !== 'ok') throw new Error(JSON.stringify(result));
    // Only the strict dispatcher runs while this is delivered.
    await dispatcher.stop();
    const strict = testDispatcher(false);
    await save(app._id, 'Guarded');
    try {
      const [delivery] = await until('the refused attempt', async () => {
        const list = await listDeliveries({
          tenantId: tenant,
          endpointId: result.data.endpoint._id,
        });
        return list[0]?.attemptCount ? list : null;
      });
      expect(delivery?.attempts[0]?.error).toMatch(/refused: localhost resolves to .*loopback/);
      expect(delivery?.attempts[0]?.responseCode).toBeNull();
      expect(receiver.requests.filter((r) => r.path === '/guarded')).toEqual([]);
    } finally {
      await strict.stop();
      dispatcher = testDispatcher(true);
    }
  });
});
