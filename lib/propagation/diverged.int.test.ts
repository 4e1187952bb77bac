import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { POST as forcePushRoute } from '@/app/api/apps/[appId]/force-push/route';
import { waitFor } from '@/test/helpers/devstack';
import { forcePush } from '@/lib/actions/force-push';
import { configKey } from '@/lib/contract/cache-layout';
import { canonicalJson } from '@/lib/contract/canonical-json';
import { collections, type AppDoc, type ConfigVersionDoc } from '@/lib/db/collections';
import { commitVersion } from '@/lib/db/config-versions';
import { pushToPrimary } from '@/lib/propagation/push';
import { pushVersion } from '@/lib/propagation/push-version';
import { stopObserver } from '@/lib/propagation/observer/instance';
import { appPropagationStatus } from '@/lib/propagation/read-status';
import { primaryRedis } from '@/lib/redis/clients';
import { defaultConfig } from '@/lib/schemas/config';
import { forcedPushSchema, problemSchema } from '@/lib/schemas/api';
import { retryDuePushes } from '@/lib/worker/push-retry';
import {
  createTestUser,
  requestWith,
  runId,
  sessionCookie,
  TEST_ORIGIN,
  type Credential,
} from '@/test/helpers/auth';
import {
  createPushedApp,
  removeApps,
  saveNextVersion,
  testAuthor,
} from '@/test/helpers/propagation';
import { closeStores } from '@/test/helpers/stores';
import { testPrincipal } from '@/test/helpers/principals';

/**
 * After MongoDB is restored from a backup, its next saves reuse version numbers the cache already
 * holds with other contents. Such a push must be flagged diverged (not marked pushed, not retried
 * for ever), shown as such, and only support's forced re-push may overwrite that same version;
 * an older version still never replaces a newer one.
 */
const run = runId();
const TENANT = `diverged-${run}`;
const created: string[] = [];
const support = testPrincipal('support', null, run);
const viewer = testPrincipal('viewer', TENANT, run);
let supportCookie: Credential;

beforeAll(async () => {
  const user = await createTestUser({ id: support.id, role: 'support', tenantId: null });
  supportCookie = { kind: 'cookie', cookie: await sessionCookie(user) };
});

afterAll(async () => {
  await removeApps(created);
  const c = await collections();
  await c.users.deleteMany({ _id: support.id });
  await c.audit.deleteMany({ 'actor.id': support.id });
  await stopObserver();
  await closeStores({ subscribers: true });
});

/** v1 and v2 saved and pushed; then MongoDB "restored" to a backup taken at v1. */
async function restoredApp(): Promise<AppDoc> {
  const app = await createPushedApp(TENANT, created, 'diverged');
  expect((await saveNextVersion(app)).pushed).toBe(true);
  const c = await collections();
  await c.configVersions.deleteMany({ appId: app._id, version: 2 });
  await c.apps.updateOne({ _id: app._id }, { $set: { headVersion: 1 } });
  return app;
}

/** The first save after the restore: a v2 with other contents than the cache's v2. */
async function saveAfterRestore(app: AppDoc): Promise<ConfigVersionDoc> {
  const outcome = await commitVersion({
    app,
    expectedVersion: 1,
    data: defaultConfig(`${app._id} after the restore`),
    author: testAuthor,
    message: 'first save after the restore',
  });
  if (outcome.status !== 'committed') throw new Error('commit conflicted');
  return outcome.doc;
}

const cacheEntry = (appId: string) => primaryRedis().hgetall(configKey(appId));
const stored = async (appId: string, version: number) =>
  (await collections()).configVersions.findOne({ appId, version });

describe('a push refused because the cache holds the same version with another checksum', () => {
  it('is flagged diverged, not marked pushed, not retried, and shown as diverged', async () => {
    const app = await restoredApp();
    const before = await cacheEntry(app._id);
    const doc = await saveAfterRestore(app);
    expect(doc.checksum).not.toBe(before.checksum);

    const result = await pushVersion(doc);
    expect(result).toMatchObject({ pushed: false, diverged: true });
    const flagged = await stored(app._id, 2);
    expect(flagged?.pushedAt).toBeNull();
    expect(flagged?.divergedAt).toBeInstanceOf(Date);

    // The worker leaves it alone: retrying cannot change the answer.
    await retryDuePushes();
    expect((await stored(app._id, 2))?.pushedAt).toBeNull();
    expect((await cacheEntry(app._id)).checksum).toBe(before.checksum);

    const status = await waitFor(
      async () => {
        const s = await appPropagationStatus(app);
        return s.head?.pushState === 'diverged' ? s : null;
      },
      10_000,
      'the status to show the head as diverged',
      50,
    );
    expect(status.head?.divergedAt).toBe(flagged?.divergedAt?.getTime());
    expect(status.regions.find((r) => r.role === 'primary')?.state).toBe('diverged');
  });

  it('is overwritten by support’s forced re-push, confirmed and audited; viewers cannot', async () => {
    const app = await restoredApp();
    const doc = await saveAfterRestore(app);
    await pushVersion(doc);

    expect(
      (await forcePush.run(viewer, { appId: app._id, version: 2, confirm: true })).status,
    ).toBe('error');
    const unconfirmed = await forcePush.run(support, { appId: app._id, version: 2 });
    expect(unconfirmed).toMatchObject({ status: 'invalid' });
    expect(unconfirmed.status === 'invalid' && unconfirmed.fieldErrors.confirm).toBeTruthy();
    expect((await cacheEntry(app._id)).checksum).not.toBe(doc.checksum);

    const forced = await forcePush.run(
      support,
      { appId: app._id, version: 2, confirm: true },
      { ip: '203.0.113.9', userAgent: 'int test' },
    );
    expect(forced).toMatchObject({ status: 'ok', data: { appId: app._id, version: 2 } });
    const entry = await cacheEntry(app._id);
    expect(entry.version).toBe('2');
    expect(entry.checksum).toBe(doc.checksum);
    expect(entry.body).toBe(canonicalJson(doc.data));
    const pushed = await stored(app._id, 2);
    expect(pushed?.pushedAt).toBeInstanceOf(Date);
    expect(pushed?.divergedAt).toBeNull();

    const c = await collections();
    const audit = await c.audit.findOne({ appId: app._id, action: 'push.forced' });
    expect(audit).toMatchObject({
      actor: { kind: 'user', id: support.id },
      ip: '203.0.113.9',
      details: { version: 2, pushed: true },
    });

    await waitFor(
      async () => ((await appPropagationStatus(app)).head?.pushState === 'pushed' ? true : null),
      10_000,
      'the status to show the head as pushed',
      50,
    );
  });

  it('never lets a forced re-push replace a newer version in the cache', async () => {
    const app = await restoredApp();
    const doc = await saveAfterRestore(app);
    // Meanwhile the cache got a v3 MongoDB does not have (pushed before the restore).
    const newer = { ...doc, version: 3, checksum: 'f'.repeat(64) };
    const written = await pushToPrimary(primaryRedis(), {
      appId: app._id,
      version: newer.version,
      checksum: newer.checksum,
      data: newer.data,
      committedAt: new Date(),
    });
    expect(written.status).toBe('written');

    const refused = await forcePush.run(support, { appId: app._id, version: 2, confirm: true });
    expect(refused).toMatchObject({ status: 'invalid' });
    expect(refused.status === 'invalid' && refused.message).toMatch(/holds v3.*newer/);
    const entry = await cacheEntry(app._id);
    expect([entry.version, entry.checksum]).toEqual(['3', newer.checksum]);
    const direct = await pushToPrimary(primaryRedis(), {
      appId: app._id,
      version: 2,
      checksum: doc.checksum,
      data: doc.data,
      committedAt: doc.createdAt,
      overwriteSameVersion: true,
    });
    expect(direct).toMatchObject({ status: 'superseded', currentVersion: 3 });
  });

  it('has a REST route for support, answering with the schema the OpenAPI document shows', async () => {
    const app = await restoredApp();
    const doc = await saveAfterRestore(app);
    await pushVersion(doc);
    const path = `/api/apps/${app._id}/force-push`;
    const call = async (body: unknown) => {
      const request = requestWith(supportCookie, path, {
        method: 'POST',
        body,
        origin: TEST_ORIGIN,
      });
      const response = await forcePushRoute(request, {
        params: Promise.resolve({ appId: app._id }),
      });
      return { status: response.status, json: (await response.json()) as unknown };
    };
    const unconfirmed = await call({ version: 2 });
    expect(unconfirmed.status).toBe(422);
    problemSchema.parse(unconfirmed.json);
    const ok = await call({ version: 2, confirm: true });
    expect(ok.status).toBe(200);
    expect(forcedPushSchema.parse(ok.json)).toMatchObject({ appId: app._id, version: 2 });
    expect((await cacheEntry(app._id)).checksum).toBe(doc.checksum);
  });
});
