import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { GET } from '@/app/api/apps/[appId]/instances/route';
import { secretKeysFromEnv, type ConfigClient } from '@/lib/config-client';
import { instanceReportKey, instancesIndexKey } from '@/lib/contract/report-layout';
import { createApiToken } from '@/lib/db/api-tokens';
import { createApp } from '@/lib/db/apps';
import { collections } from '@/lib/db/collections';
import { commitVersion } from '@/lib/db/config-versions';
import { readHead } from '@/lib/db/heads';
import type { AppInstancesView } from '@/lib/instances/app-instances';
import { measureInstancesBehind } from '@/lib/instances/behind';
import { pushVersion } from '@/lib/propagation/push-version';
import { primaryRedis } from '@/lib/redis/clients';
import { defaultConfig } from '@/lib/schemas/config';
import { endpoints } from '@/devstack/endpoints';
import { fault, stackStatus, waitFor } from '@/test/helpers/devstack';
import { closeStores } from '@/test/helpers/stores';
import { readerClient, reportToPrimary } from '@/test/helpers/config-clients';

/**
 * Reports written by real config clients, read back through the route handler exactly as the
 * dashboard calls it: bearer token, tenant check, zod-validated reports, per-region summary.
 */
const run = randomBytes(4).toString('hex');
const tenant = `inst-${run}`;
const otherTenant = `inst-other-${run}`;
const appId = `inst-app-${run}`;
const author = { userId: 'test', name: 'Instances test', email: 'test@example.test' };
const { replicas } = endpoints();
const [near, far] = replicas;
if (!near || !far) throw new Error('these tests need at least two replica regions');

const clients: ConfigClient[] = [];
let token = '';
let foreignToken = '';

/** Commits and pushes a new version that differs from the head by its display name. */
async function saveAndPush(displayName: string) {
  const head = await readHead(appId);
  if (!head) throw new Error('no head');
  const result = await commitVersion({
    app: { _id: appId, tenantId: tenant },
    expectedVersion: head.version,
    data: { ...head.data, branding: { ...head.data.branding, displayName } },
    author,
    message: 'test',
  });
  if (result.status !== 'committed') throw new Error('commit conflicted');
  await pushVersion(result.doc);
  return result.doc;
}

async function fetchView(secret: string): Promise<{ status: number; body: AppInstancesView }> {
  const request = new Request(`http://propagate.test/api/apps/${appId}/instances`, {
    headers: { authorization: `Bearer ${secret}`, host: 'propagate.test' },
  });
  const response = await GET(request, { params: Promise.resolve({ appId }) });
  return { status: response.status, body: (await response.json()) as AppInstancesView };
}

/** The view the tenant's token gets, once `ready` holds of it. */
const viewWhen = (ready: (view: AppInstancesView) => boolean, what: string, ms = 5_000) =>
  waitFor(
    async () => {
      const { body } = await fetchView(token);
      return ready(body) ? body : null;
    },
    ms,
    what,
  );

beforeAll(async () => {
  await createApp({
    id: appId,
    tenantId: tenant,
    name: 'Instances test',
    description: '',
    config: defaultConfig('Instances test'),
    author,
    message: 'first',
  });
  const head = await readHead(appId);
  if (!head) throw new Error('createApp left no head');
  await pushVersion(head);
  token = (
    await createApiToken({
      tenantId: tenant,
      name: 'instances test',
      scope: 'read',
      createdBy: author,
    })
  ).secret;
  foreignToken = (
    await createApiToken({
      tenantId: otherTenant,
      name: 'other tenant',
      scope: 'read',
      createdBy: author,
    })
  ).secret;
});

afterEach(async () => {
  for (const r of replicas) await fault(r.region, 'heal');
  await waitFor(async () => (await stackStatus()).healthy, 30_000, 'the stack to be healthy again');
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  const redis = primaryRedis();
  const members = await redis.zrange(instancesIndexKey(appId), 0, '-1');
  await redis.del(
    instancesIndexKey(appId),
    ...members.map((m) => instanceReportKey(appId, m)),
    `propagate:cfg:${appId}`,
  );
  const c = await collections();
  await c.configVersions.deleteMany({ appId });
  await c.apps.deleteOne({ _id: appId });
  await c.apiTokens.deleteMany({ tenantId: { $in: [tenant, otherTenant] } });
  await closeStores();
});

describe('GET /api/apps/[appId]/instances', () => {
  it('shows per region how many servers hold the head, and who is behind during a partition', async () => {
    for (const r of [near, far]) {
      for (let i = 0; i < 2; i += 1) {
        const c = readerClient(r, {
          secretKeys: secretKeysFromEnv(process.env),
          instanceId: `test-${r.region}-${i}-${run}`,
          stampCheckIntervalMs: 500,
          report: reportToPrimary(500),
        });
        clients.push(c);
        await c.ready(appId);
      }
    }
    const v2 = await saveAndPush('Second');
    const onHead = await viewWhen(
      (view) =>
        view.regions
          .filter((r) => r.region === near.region || r.region === far.region)
          .every((r) => r.onHead === 2 && r.live === 2),
      'every instance on v2',
    );
    expect(onHead.head).toMatchObject({ version: v2.version });
    expect(onHead.reportsAvailable).toBe(true);

    await fault(near.region, 'partition');
    const v3 = await saveAndPush('Third');
    const during = await viewWhen((view) => {
      const cut = view.regions.find((r) => r.region === near.region);
      const fine = view.regions.find((r) => r.region === far.region);
      return cut?.onHead === 0 && fine?.onHead === 2;
    }, 'the partitioned region to show its servers behind');
    const cut = during.regions.find((r) => r.region === near.region);
    expect(cut?.instances.map((i) => [i.state, i.version])).toEqual([
      ['behind', v2.version],
      ['behind', v2.version],
    ]);
    expect(cut?.instances[0]?.behindSince).toBe(v3.createdAt.getTime());
    // The metric the "servers stuck on an old version" alert reads (docs/observability.md).
    const gauge = (await measureInstancesBehind()).get(near.region);
    expect(gauge?.count).toBeGreaterThanOrEqual(2);
    expect(gauge?.maxSeconds).toBeGreaterThan(0);

    await fault(near.region, 'heal');
    await viewWhen(
      (view) => view.regions.find((r) => r.region === near.region)?.onHead === 2,
      'the region to catch up after heal',
      15_000,
    );
  });

  it('treats another tenant’s app as not found', async () => {
    const { status, body } = await fetchView(foreignToken);
    expect(status).toBe(404);
    expect(body).toMatchObject({ status: 404, detail: 'App not found.' });
  });

  it('drops reports that do not validate', async () => {
    const redis = primaryRedis();
    await redis.zadd(instancesIndexKey(appId), Date.now(), 'forged');
    await redis.set(
      instanceReportKey(appId, 'forged'),
      JSON.stringify({ instanceId: 'forged', version: 'lots' }),
      'PX',
      60_000,
    );
    const { body } = await fetchView(token);
    expect(body.regions.flatMap((r) => r.instances).some((i) => i.instanceId === 'forged')).toBe(
      false,
    );
  });
});
