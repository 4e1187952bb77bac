import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  // A short budget, so a partitioned region turns lagging within the test.
  process.env.LAG_BUDGET_MS = '1000';
});

import { fault, stackStatus, waitFor } from '@/test/helpers/devstack';
import { instanceReportKey, instancesIndexKey } from '@/lib/contract/report-layout';
import { collections, type WebhookEventDoc } from '@/lib/db/collections';
import { readHead } from '@/lib/db/heads';
import { eventId } from '@/lib/db/webhook-events';
import type { StatusObserver } from '@/lib/propagation/observer/observer';
import { primaryRedis } from '@/lib/redis/clients';
import { listRegions } from '@/lib/regions';
import { runId } from '@/test/helpers/auth';
import { testObserver } from '@/test/helpers/observer';
import { createPushedApp, removeApps, saveNextVersion } from '@/test/helpers/propagation';
import { EventDetector } from '@/lib/webhooks/detector';
import { closeStores } from '@/test/helpers/stores';

/**
 * Events the status observer knows: converged (regions and reporting servers), lagging and
 * recovered, each produced once even with two workers watching side by side.
 */

const tenant = `whd-${runId()}`;
const created: string[] = [];
const observers: StatusObserver[] = [];
const detectors: EventDetector[] = [];
const replica = listRegions().find((r) => r.role === 'replica');

async function startDetector() {
  const observer = testObserver(200);
  observers.push(observer);
  await observer.ready();
  const detector = await new EventDetector({ observer, recheckMs: 100, log: () => {} }).start();
  detectors.push(detector);
  return detector;
}

async function eventsOf(appId: string): Promise<WebhookEventDoc[]> {
  const c = await collections();
  return c.webhookEvents.find({ tenantId: tenant, appId }).sort({ createdAt: 1 }).toArray();
}

const waitForEvent = (appId: string, type: string, extra = (_e: WebhookEventDoc) => true) =>
  waitFor(
    async () => (await eventsOf(appId)).find((e) => e.type === type && extra(e)),
    20_000,
    `${type} for ${appId}`,
    50,
  );

beforeAll(async () => {
  for (const r of listRegions().filter((x) => x.role === 'replica')) await fault(r.name, 'heal');
  await waitFor(async () => (await stackStatus()).healthy, 30_000, 'a healthy stack', 100);
  // Two workers side by side: every event must still be produced once.
  await startDetector();
  await startDetector();
});

afterAll(async () => {
  for (const r of listRegions().filter((x) => x.role === 'replica')) await fault(r.name, 'heal');
  await Promise.all(detectors.map((d) => d.stop()));
  await Promise.all(observers.map((o) => o.stop()));
  const c = await collections();
  await c.webhookEvents.deleteMany({ tenantId: tenant });
  for (const id of created) await primaryRedis().del(instancesIndexKey(id));
  await removeApps(created);
  await closeStores();
});

describe('events from the status observer', () => {
  it('announces convergence once per version, after the regions and every reporting server', async () => {
    const app = await createPushedApp(tenant, created, 'whd');
    // A server of the app that still holds v1 and reports: v2 is not converged until it moves.
    const report = (version: number, checksum: string) => {
      const now = Date.now();
      const body = {
        instanceId: 'svc-1',
        region: replica?.name ?? 'eu-west-1',
        appId: app._id,
        version,
        checksum,
        appliedAt: now,
        stalenessMs: 0,
        reportedAt: now,
        intervalMs: 5_000,
      };
      return primaryRedis()
        .multi()
        .set(instanceReportKey(app._id, 'svc-1'), JSON.stringify(body), 'PX', 60_000)
        .zadd(instancesIndexKey(app._id), now, 'svc-1')
        .exec();
    };
    const v1 = await readHead(app._id);
    await report(1, v1?.checksum ?? '');
    const { doc } = await saveNextVersion(app);
    const id = eventId('config.converged', `${app._id}|${doc.version}`);
    // The regions converge quickly; the server still reports v1.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await eventsOf(app._id)).map((e) => e._id)).not.toContain(id);

    await report(doc.version, doc.checksum);
    const converged = await waitForEvent(app._id, 'config.converged', (e) => e._id === id);
    const body = JSON.parse(converged.body) as {
      data: {
        version: number;
        regions: { name: string; arrivedAt: string | null }[];
        servers: unknown;
      };
    };
    expect(body.data.version).toBe(doc.version);
    expect(body.data.servers).toEqual({ live: 1, onVersion: 1 });
    expect(body.data.regions.map((r) => r.name)).toEqual(listRegions().map((r) => r.name));
    expect(body.data.regions.every((r) => r.arrivedAt !== null)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await eventsOf(app._id)).filter((e) => e._id === id)).toHaveLength(1);
  });

  it('a partitioned region lags after the budget and recovers when healed, each event once', async () => {
    if (!replica) throw new Error('the stack has no replica');
    const app = await createPushedApp(tenant, created, 'whd');
    await fault(replica.name, 'partition');
    const { doc } = await saveNextVersion(app);
    const lagging = await waitForEvent(app._id, 'region.lagging');
    expect(JSON.parse(lagging.body)).toMatchObject({
      type: 'region.lagging',
      data: { appId: app._id, version: doc.version, region: replica.name },
    });
    await fault(replica.name, 'heal');
    const recovered = await waitForEvent(app._id, 'region.recovered');
    expect(JSON.parse(recovered.body)).toMatchObject({
      data: { appId: app._id, version: doc.version, region: replica.name },
    });
    const convergedId = eventId('config.converged', `${app._id}|${doc.version}`);
    await waitForEvent(app._id, 'config.converged', (e) => e._id === convergedId);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const events = await eventsOf(app._id);
    expect(events.filter((e) => e.type === 'region.lagging')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'region.recovered')).toHaveLength(1);
    expect(events.filter((e) => e._id === convergedId)).toHaveLength(1);
  });
});
