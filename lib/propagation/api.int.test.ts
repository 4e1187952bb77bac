import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { GET as appPropagation } from '@/app/api/apps/[appId]/propagation/route';
import { GET as latency } from '@/app/api/latency/route';
import { GET as fleet } from '@/app/api/propagation/route';
import { fault, waitFor } from '@/test/helpers/devstack';
import { retryPush } from '@/lib/actions/retry-push';
import { tokenPrincipal, type Principal } from '@/lib/auth/principal';
import { configKey } from '@/lib/contract/cache-layout';
import { createApiToken } from '@/lib/db/api-tokens';
import { collections, type AppDoc } from '@/lib/db/collections';
import {
  createPushedApp,
  removeApps,
  saveNextVersion,
  testAuthor as author,
} from '@/test/helpers/propagation';
import type { AppPropagationStatus } from '@/lib/propagation/app-status';
import type { FleetPage } from '@/lib/propagation/fleet-status';
import { primaryRedis } from '@/lib/redis/clients';
import { listRegions } from '@/lib/regions';
import { testPrincipal } from '@/test/helpers/principals';
import { closeStores } from '@/test/helpers/stores';

const suffix = randomBytes(4).toString('hex');
const tenantA = `api-a-${suffix}`;
const tenantB = `api-b-${suffix}`;
const created: string[] = [];
let appA: AppDoc;
let appB: AppDoc;
let readToken: string;

const newApp = (tenantId: string) => createPushedApp(tenantId, created, 'api');

function call(
  handler: (request: Request, context: { params: Promise<unknown> }) => Promise<Response>,
  path: string,
  params: Record<string, string> = {},
  init: RequestInit = {},
) {
  const request = new Request(`http://127.0.0.1${path}`, {
    ...init,
    headers: { authorization: `Bearer ${readToken}`, ...init.headers },
  });
  return handler(request, { params: Promise.resolve(params) });
}

/** appA's status, answered once `version` is everywhere or `waitMs` has passed. */
async function waitedStatus(version: number, waitMs: number) {
  const res = await call(
    appPropagation,
    `/api/apps/${appA._id}/propagation?version=${version}&waitMs=${waitMs}`,
    { appId: appA._id },
  );
  expect(res.status).toBe(200);
  return (await res.json()) as AppPropagationStatus & {
    wait: { converged: boolean; waitedMs: number };
  };
}

const user = (role: 'admin' | 'viewer' | 'support', tenantId: string | null): Principal =>
  testPrincipal(role, tenantId);

beforeAll(async () => {
  for (const r of listRegions().filter((r) => r.role === 'replica')) await fault(r.name, 'heal');
  appA = await newApp(tenantA);
  appB = await newApp(tenantB);
  readToken = (
    await createApiToken({ tenantId: tenantA, name: 'int', scope: 'read', createdBy: author })
  ).secret;
});

afterAll(async () => {
  for (const r of listRegions().filter((r) => r.role === 'replica')) await fault(r.name, 'heal');
  await removeApps(created);
  const c = await collections();
  await c.apiTokens.deleteMany({ tenantId: tenantA });
  await closeStores();
});

describe('GET /api/apps/{appId}/propagation', () => {
  it('returns the head and every region for an app of the caller’s tenant', async () => {
    const body = await waitFor(
      async () => {
        const res = await call(appPropagation, `/api/apps/${appA._id}/propagation`, {
          appId: appA._id,
        });
        expect(res.status).toBe(200);
        const json = (await res.json()) as AppPropagationStatus;
        return json.allInSync ? json : null;
      },
      10_000,
      'in sync',
      50,
    );
    expect(body.head?.version).toBe(1);
    expect(body.regions.map((r) => r.name)).toEqual(listRegions().map((r) => r.name));
    expect(body.regions[0]).toMatchObject({
      state: 'in_sync',
      label: 'In sync',
      stamp: { version: 1 },
    });
  });

  it('is 404 for another tenant’s app and for an unknown one, 400 for a malformed id', async () => {
    const foreign = await call(appPropagation, `/api/apps/${appB._id}/propagation`, {
      appId: appB._id,
    });
    expect(foreign.status).toBe(404);
    const unknown = await call(appPropagation, '/api/apps/no-such-app/propagation', {
      appId: 'no-such-app',
    });
    expect(unknown.status).toBe(404);
    expect(await foreign.json()).toEqual(await unknown.json());
    const malformed = await call(appPropagation, '/api/apps/$where/propagation', {
      appId: '$where',
    });
    expect(malformed.status).toBe(400);
  });

  it('is 401 without credentials', async () => {
    const res = await appPropagation(
      new Request(`http://127.0.0.1/api/apps/${appA._id}/propagation`, {
        headers: { authorization: 'Bearer prp_nope' },
      }),
      { params: Promise.resolve({ appId: appA._id }) },
    );
    expect(res.status).toBe(401);
  });

  it('validates the wait parameters', async () => {
    const tooLong = await call(
      appPropagation,
      `/api/apps/${appA._id}/propagation?version=1&waitMs=600000`,
      { appId: appA._id },
    );
    expect(tooLong.status).toBe(400);
    const noVersion = await call(appPropagation, `/api/apps/${appA._id}/propagation?waitMs=100`, {
      appId: appA._id,
    });
    expect(noVersion.status).toBe(400);
    expect(JSON.stringify(await noVersion.json())).toContain('waitMs needs the version');
  });

  it('waits for a version: times out with converged false, returns when it arrives', async () => {
    const cut = listRegions().find((r) => r.role === 'replica');
    if (!cut) throw new Error('needs a replica');
    await fault(cut.name, 'partition');
    const { doc } = await saveNextVersion(appA);
    const v = doc.version;

    const late = await waitedStatus(v, 300);
    expect(late.wait.converged).toBe(false);
    expect(late.regions.find((r) => r.name === cut.name)?.state).toBe('propagating');

    setTimeout(() => void fault(cut.name, 'heal'), 300);
    const done = await waitedStatus(v, 20_000);
    expect(done.wait.converged).toBe(true);
    // Returned when the region caught up, well before the 20 s limit (a loaded machine slows
    // the replication's resumption after the heal).
    expect(done.wait.waitedMs).toBeLessThan(8_000);
    expect(done.allInSync).toBe(true);
  });
});

describe('GET /api/propagation', () => {
  it('lists only the caller’s tenant, and nothing when asked for another tenant', async () => {
    const own = (await (await call(fleet, '/api/propagation')).json()) as FleetPage;
    expect(own.apps.map((a) => a.appId)).toContain(appA._id);
    expect(own.apps.every((a) => a.tenantId === tenantA)).toBe(true);
    const other = (await (
      await call(fleet, `/api/propagation?tenant=${tenantB}`)
    ).json()) as FleetPage;
    expect(other.apps).toEqual([]);
    expect(other.total).toBe(0);
  });

  it('answers for just the apps asked for (a page of the apps list), never another tenant’s', async () => {
    const asked = (await (
      await call(fleet, `/api/propagation?apps=${appA._id},${appB._id}`)
    ).json()) as FleetPage;
    expect(asked.apps.map((a) => a.appId)).toEqual([appA._id]);
    expect(asked.total).toBe(1);
    const tooMany = Array.from({ length: 201 }, (_, i) => `app-${i}`).join(',');
    expect((await call(fleet, `/api/propagation?apps=${tooMany}`)).status).toBe(400);
  });

  it('rejects an unknown state filter', async () => {
    expect((await call(fleet, '/api/propagation?state=sleepy')).status).toBe(400);
  });
});

describe('GET /api/latency', () => {
  it('gives per-app figures to the app’s tenant, fleet-wide figures only to support', async () => {
    const own = await call(latency, `/api/latency?appId=${appA._id}`);
    expect(own.status).toBe(200);
    const body = (await own.json()) as { regions: { region: string }[] };
    expect(body.regions.map((r) => r.region)).toEqual(listRegions().map((r) => r.name));
    expect((await call(latency, `/api/latency?appId=${appB._id}`)).status).toBe(404);
    expect((await call(latency, '/api/latency')).status).toBe(403);
  });
});

describe('retry push action', () => {
  it.each([
    ['admin', user('admin', tenantB)],
    ['viewer', user('viewer', tenantB)],
    [
      'read-write token',
      tokenPrincipal({ _id: 't', name: 't', tenantId: tenantB, scope: 'read-write' }),
    ],
  ])('is refused to %s', async (_name, principal) => {
    const result = await retryPush.run(principal, { appId: appB._id });
    expect(result).toMatchObject({ status: 'error', code: 'forbidden' });
  });

  it('lets support push an app’s head now, and records it in the audit log', async () => {
    await primaryRedis().del(configKey(appB._id));
    const result = await retryPush.run(user('support', null), { appId: appB._id });
    expect(result).toMatchObject({ status: 'ok', data: { appId: appB._id, version: 1 } });
    expect(await primaryRedis().hget(configKey(appB._id), 'version')).toBe('1');
    const c = await collections();
    const entry = await c.audit.findOne({ appId: appB._id, action: 'push.retried' });
    expect(entry?.actor.name).toBe('support@example.test');
  });

  it('validates its input', async () => {
    const result = await retryPush.run(user('support', null), { appId: 'Not An Id' });
    expect(result.status).toBe('invalid');
  });
});
