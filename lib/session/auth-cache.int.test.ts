import { randomBytes } from 'node:crypto';
import { MongoClient, type CommandStartedEvent } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { GET as appStatus } from '@/app/api/apps/[appId]/propagation/route';
import { redisAs, waitFor } from '@/test/helpers/devstack';
import { revokeApiToken } from '@/lib/db/api-tokens';
import { collections, type AppDoc } from '@/lib/db/collections';
import { changeTenantUser } from '@/lib/db/tenant-admins';
import { env } from '@/lib/env';
import { createObserver } from '@/lib/propagation/observer/instance';
import type { StatusObserver } from '@/lib/propagation/observer/observer';
import { primaryRegion } from '@/lib/regions';
import { AUTH_CACHE_TTL_MS, AUTH_CHANNEL, closeAuthCache } from '@/lib/session/auth-cache';
import {
  createTestToken,
  createTestUser,
  requestWith,
  sessionCookie,
  type Credential,
} from '@/test/helpers/auth';
import { createPushedApp, removeApps } from '@/test/helpers/propagation';
import { closeStores } from '@/test/helpers/stores';

/**
 * The status read's hot path: with the snapshot fresh, answering costs no MongoDB command (the
 * caller is verified from the auth cache, the app's tenant from the snapshot), and taking access
 * away still reaches that cache at once, or within its TTL when only MongoDB was told.
 */

const TENANT = `int-authcache-${randomBytes(3).toString('hex')}`;
const created: string[] = [];
const commands: string[] = [];
let client: MongoClient;
let observer: StatusObserver;
let app: AppDoc;

const globals = globalThis as unknown as {
  propagateMongo?: Promise<MongoClient>;
  propagateObserver?: StatusObserver;
};

beforeAll(async () => {
  // The process's MongoDB client, with command monitoring on: every command the code under test
  // sends is seen here (installed where lib/db/mongo.ts caches its client, before first use).
  client = new MongoClient(env.MONGODB_URI, {
    monitorCommands: true,
    serverSelectionTimeoutMS: 5_000,
  });
  client.on('commandStarted', (e: CommandStartedEvent) => {
    commands.push(`${e.commandName} ${String(e.command[e.commandName])}`);
  });
  globals.propagateMongo = client.connect();
  app = await createPushedApp(TENANT, created, 'authcache');
  // The process's observer, with its own loops slowed down so that every command counted below
  // belongs to the request; the snapshot is as fresh as after any scan.
  observer = createObserver({
    scanMs: 600_000,
    reconcileMs: 600_000,
    fullReconcileMs: 600_000,
    log: () => {},
  });
  globals.propagateObserver = observer;
  await observer.ready();
});

afterAll(async () => {
  globals.propagateObserver = undefined;
  await observer.stop();
  await removeApps(created);
  const c = await collections();
  await c.apiTokens.deleteMany({ tenantId: TENANT });
  await c.users.deleteMany({ tenantId: TENANT });
  await closeAuthCache();
  await closeStores({ subscribers: true });
});

async function read(credential: Credential): Promise<Response> {
  return appStatus(requestWith(credential, `/api/apps/${app._id}/propagation`), {
    params: Promise.resolve({ appId: app._id }),
  });
}

/** MongoDB commands sent while `work` ran. */
async function commandsDuring(work: () => Promise<unknown>): Promise<string[]> {
  const before = commands.length;
  await work();
  return commands.slice(before);
}

/** The first reads verify the caller in MongoDB and subscribe; then the cache answers. */
async function warm(credential: Credential): Promise<void> {
  await waitFor(
    async () => {
      const sent = await commandsDuring(async () =>
        expect((await read(credential)).status).toBe(200),
      );
      return sent.length === 0;
    },
    5_000,
    'a status read without MongoDB commands',
    20,
  );
}

describe('status read hot path', () => {
  it('a fresh status read sends no MongoDB command, with a token or a session', async () => {
    const { secret } = await createTestToken({ tenantId: TENANT, scope: 'read' });
    const user = await createTestUser({ id: `${TENANT}-viewer`, role: 'viewer', tenantId: TENANT });
    const cookie = await sessionCookie(user);
    for (const credential of [
      { kind: 'bearer', token: secret },
      { kind: 'cookie', cookie },
    ] satisfies Credential[]) {
      await warm(credential);
      const sent = await commandsDuring(async () => {
        for (let i = 0; i < 20; i += 1) {
          const response = await read(credential);
          expect(response.status).toBe(200);
          const body = (await response.json()) as { appId: string; head: { version: number } };
          expect(body.appId).toBe(app._id);
          expect(body.head.version).toBe(1);
        }
      });
      expect(sent, `${credential.kind}: commands sent by 20 fresh reads`).toEqual([]);
    }
    // The first read did go to MongoDB: the counter sees the driver's commands.
    expect(commands).toContain('find api_tokens');
  });

  it('another tenant is refused from the snapshot alone, as "not found"', async () => {
    const { secret } = await createTestToken({ tenantId: `${TENANT}-other`, scope: 'read' });
    const credential: Credential = { kind: 'bearer', token: secret };
    await read(credential);
    await waitFor(async () => (await commandsDuring(() => read(credential))).length === 0, 5_000);
    const response = await read(credential);
    expect(response.status).toBe(404);
    const c = await collections();
    await c.apiTokens.deleteMany({ tenantId: `${TENANT}-other` });
  });

  it('a revoked token is refused at its next read; one revoked elsewhere within the bound', async () => {
    const c = await collections();
    // Revoked here: this process drops it before the revocation returns.
    const here = await createTestToken({ tenantId: TENANT, scope: 'read' });
    const hereCredential: Credential = { kind: 'bearer', token: here.secret };
    await warm(hereCredential);
    await revokeApiToken({ tenantId: TENANT, tokenId: here.token._id });
    expect((await read(hereCredential)).status).toBe(401);

    // Revoked by another server process: MongoDB written and the change published, as that
    // process's revokeApiToken does; this process hears it on the primary's channel.
    const there = await createTestToken({ tenantId: TENANT, scope: 'read' });
    const thereCredential: Credential = { kind: 'bearer', token: there.secret };
    await warm(thereCredential);
    await c.apiTokens.updateOne({ _id: there.token._id }, { $set: { revokedAt: new Date() } });
    const publisher = redisAs('writer', primaryRegion().url);
    const announcedAt = Date.now();
    try {
      await publisher.publish(AUTH_CHANNEL, JSON.stringify({ kind: 'token', id: there.token._id }));
    } finally {
      publisher.disconnect();
    }
    // The cached entry would live AUTH_CACHE_TTL_MS from the warm-up just before: refused in
    // well under half of it, the message did it (typically a few ms; a busy machine, more).
    await waitFor(
      async () => (await read(thereCredential)).status === 401,
      AUTH_CACHE_TTL_MS / 2,
      'refused',
      5,
    );
    const byMessageMs = Date.now() - announcedAt;
    expect(byMessageMs).toBeLessThan(AUTH_CACHE_TTL_MS / 2);

    // Revoked where nobody announces it (a write outside Propagate): the TTL bounds the delay.
    const silent = await createTestToken({ tenantId: TENANT, scope: 'read' });
    const silentCredential: Credential = { kind: 'bearer', token: silent.secret };
    await warm(silentCredential);
    const revokedAt = Date.now();
    await c.apiTokens.updateOne({ _id: silent.token._id }, { $set: { revokedAt: new Date() } });
    // Still answered from the cache right after: the cache is real, and this is its price.
    expect((await read(silentCredential)).status).toBe(200);
    await waitFor(
      async () => (await read(silentCredential)).status === 401,
      AUTH_CACHE_TTL_MS + 2_000,
      'refused by the TTL',
      50,
    );
    // The TTL, plus one read's time on a busy machine.
    expect(Date.now() - revokedAt).toBeLessThanOrEqual(AUTH_CACHE_TTL_MS + 1_500);
  });

  it('a disabled user is refused at their next read', async () => {
    const user = await createTestUser({
      id: `${TENANT}-disabled`,
      role: 'viewer',
      tenantId: TENANT,
    });
    const credential: Credential = { kind: 'cookie', cookie: await sessionCookie(user) };
    await warm(credential);
    const change = await changeTenantUser({
      userId: user._id,
      tenantId: TENANT,
      from: { role: 'viewer', disabled: false },
      to: { role: 'viewer', disabled: true },
    });
    expect(change.status).toBe('changed');
    expect((await read(credential)).status).toBe(401);
  });
});
