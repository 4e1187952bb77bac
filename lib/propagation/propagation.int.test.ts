import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  // A short lag budget lets "propagating → lagging" happen within a test.
  process.env.LAG_BUDGET_MS = '1500';
});

import { fault, flushPrimary, redisAs, stackStatus, waitFor } from '@/test/helpers/devstack';
import { configKey } from '@/lib/contract/cache-layout';
import { collections, type AppDoc, type ConfigVersionDoc } from '@/lib/db/collections';
import { createPushedApp, removeApps, saveNextVersion } from '@/test/helpers/propagation';
import { REGION_DOWN_PREFIX } from '@/lib/propagation/read-stamps';
import type { AppPropagationStatus } from '@/lib/propagation/app-status';
import { stopObserver } from '@/lib/propagation/observer/instance';
import { appPropagationStatus, readFleet } from '@/lib/propagation/read-status';
import { waitForConvergence } from '@/lib/propagation/wait';
import { closeRedis, primaryRedis } from '@/lib/redis/clients';
import { listRegions, primaryRegion } from '@/lib/regions';
import { startWorker, type RunningWorker } from '@/lib/worker/run-worker';
import { closeStores } from '@/test/helpers/stores';

const TENANT = 'int-propagation';
const replicas = listRegions().filter((r) => r.role === 'replica');
const primary = primaryRegion();
const created: string[] = [];
let worker: RunningWorker | null = null;

const newApp = (tenantId = TENANT) => createPushedApp(tenantId, created);
const save = saveNextVersion;

/** A new app and its next version, saved while the first replica is partitioned away. */
async function savedWhileCut() {
  const cut = replicas[0];
  if (!cut) throw new Error('needs a replica');
  const app = await newApp();
  await fault(cut.name, 'partition');
  const { doc } = await save(app);
  return { cut, app, doc };
}

const stateOf = (status: AppPropagationStatus, region: string) =>
  status.regions.find((r) => r.name === region)?.state;

async function waitForStatus(
  app: AppDoc,
  accept: (s: AppPropagationStatus) => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<AppPropagationStatus> {
  let last: AppPropagationStatus | null = null;
  return waitFor(
    async () => {
      const status = await appPropagationStatus(app);
      last = status;
      return accept(status) ? status : null;
    },
    timeoutMs,
    what,
    50,
  ).catch((error: Error) => {
    const seen = last?.regions.map(
      (r) =>
        `${r.name}=${r.state}@v${r.stamp?.version ?? '-'}${r.lastError ? ` (${r.lastError})` : ''}`,
    );
    throw new Error(
      `${error.message}; last seen: head v${last?.head?.version ?? '-'}, ${seen?.join(', ') ?? 'nothing'}`,
    );
  });
}

async function healStack(): Promise<void> {
  for (const region of [primary, ...replicas]) await fault(region.name, 'revive');
  for (const region of replicas) await fault(region.name, 'heal');
  await waitFor(
    async () => (await stackStatus()).healthy,
    30_000,
    'the stack to be healthy again',
    100,
  );
}

beforeAll(async () => {
  await healStack();
});

afterEach(async () => {
  await worker?.stop();
  worker = null;
  await healStack();
});

afterAll(async () => {
  await removeApps(created);
  await stopObserver();
  await closeStores();
});

describe('propagation status against the devstack', () => {
  it('shows every region in sync after a save, with the primary’s time to arrive', async () => {
    const app = await newApp();
    const { doc, pushed } = await save(app);
    expect(pushed).toBe(true);
    const status = await waitForStatus(app, (s) => s.allInSync, 'every region in sync');
    expect(status.head?.version).toBe(doc.version);
    expect(status.regions.map((r) => r.name)).toEqual(listRegions().map((r) => r.name));
    for (const region of status.regions) expect(region.stamp?.version).toBe(doc.version);
    const primaryStatus = status.regions.find((r) => r.role === 'primary');
    expect(primaryStatus?.timeToArriveMs).toBeGreaterThanOrEqual(0);
    expect(primaryStatus?.explanation).toContain(`v${doc.version}, the current version`);
  });

  it('partitioned region: propagating, then lagging after the budget, then in sync after heal by itself', async () => {
    const cut = replicas[0];
    if (!cut) throw new Error('needs a replica');
    const app = await newApp();
    await waitForStatus(app, (s) => s.allInSync, 'v1 everywhere');
    await fault(cut.name, 'partition');
    const { doc } = await save(app);

    const early = await appPropagationStatus(app);
    expect(stateOf(early, cut.name)).toBe('propagating');
    expect(stateOf(early, primary.name)).toBe('in_sync');

    const late = await waitForStatus(
      app,
      (s) => stateOf(s, cut.name) === 'lagging',
      'lagging after the budget',
      5_000,
    );
    const lagging = late.regions.find((r) => r.name === cut.name);
    expect(lagging?.stamp?.version).toBe(doc.version - 1);
    expect(lagging?.explanation).toContain('budget');
    for (const other of replicas.slice(1)) expect(stateOf(late, other.name)).toBe('in_sync');

    await fault(cut.name, 'heal');
    await waitForStatus(app, (s) => s.allInSync, 'in sync again after heal');
  });

  it('killed replica: unreachable with a stable "since", recovers after revive', async () => {
    const victim = replicas[replicas.length - 1];
    if (!victim) throw new Error('needs a replica');
    const app = await newApp();
    await fault(victim.name, 'kill');
    const first = await waitForStatus(
      app,
      (s) => stateOf(s, victim.name) === 'unreachable',
      'unreachable',
    );
    const down = first.regions.find((r) => r.name === victim.name);
    expect(down?.unreachableSince).toEqual(expect.any(Number));
    expect(down?.lastError).toBeTruthy();
    expect(down?.explanation).toMatch(/has not answered for/);

    await new Promise((resolve) => setTimeout(resolve, 300));
    const again = await appPropagationStatus(app);
    // The first failure is kept (on the primary), so "since" does not move with each read.
    expect(again.regions.find((r) => r.name === victim.name)?.unreachableSince).toBe(
      down?.unreachableSince,
    );

    await fault(victim.name, 'revive');
    const back = await waitForStatus(app, (s) => s.allInSync, 'in sync after revive', 15_000);
    expect(back.regions.find((r) => r.name === victim.name)?.unreachableSince).toBeNull();
    expect(await primaryRedis().exists(`${REGION_DOWN_PREFIX}${victim.name}`)).toBe(0);
  });

  it('a cache entry newer than MongoDB’s head is "diverged"', async () => {
    const app = await newApp();
    await waitForStatus(app, (s) => s.allInSync, 'v1 everywhere');
    await primaryRedis().hset(configKey(app._id), 'version', '99');
    const status = await waitForStatus(
      app,
      (s) => s.regions.every((r) => r.state === 'diverged'),
      'diverged everywhere',
    );
    expect(status.regions[0]?.explanation).toContain('newer than MongoDB');
  });

  it('wait API returns as soon as the last region arrives, and times out cleanly', async () => {
    const { cut, app, doc } = await savedWhileCut();

    const timedOut = await waitForConvergence(app, doc.version, 400);
    expect(timedOut.converged).toBe(false);
    expect(timedOut.waitedMs).toBeGreaterThanOrEqual(400);
    // The timeout plus a last status read; a busy machine makes that read slow.
    expect(timedOut.waitedMs).toBeLessThan(3_000);
    expect(stateOf(timedOut.status, cut.name)).toBe('propagating');

    const healAt = Date.now() + 600;
    setTimeout(() => void fault(cut.name, 'heal'), 600);
    const converged = await waitForConvergence(app, doc.version, 20_000);
    expect(converged.converged).toBe(true);
    expect(Date.now()).toBeGreaterThanOrEqual(healAt);
    // Well before the 20 s limit: it returned when the region caught up (replication resumes
    // within a second or so after the heal; seconds more on a loaded machine).
    expect(converged.waitedMs).toBeLessThan(7_000);
    expect(converged.status.allInSync).toBe(true);
  });

  it('wait API stops when the caller goes away', async () => {
    const { app, doc } = await savedWhileCut();
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 200);
    const result = await waitForConvergence(app, doc.version, 30_000, { signal: abort.signal });
    expect(result.converged).toBe(false);
    // Aborted at 200 ms of a 30 s wait.
    expect(result.waitedMs).toBeLessThan(5_000);
  });

  it('fleet status covers every app in one read per region, apps behind first', async () => {
    // A tenant of its own: other tests leave apps behind on purpose (diverged, partitioned).
    const tenant = `fleet-${randomBytes(4).toString('hex')}`;
    const apps = await Promise.all(Array.from({ length: 5 }, () => newApp(tenant)));
    const cut = replicas[0];
    const behind = apps[2];
    if (!cut || !behind) throw new Error('setup');
    await waitFor(
      async () => (await readFleet({ tenant, limit: 100 })).apps.every((a) => a.behind === 0),
      10_000,
      'fleet in sync',
      50,
    );
    await fault(cut.name, 'partition');
    await save(behind);
    const fleet = await readFleet({ tenant, limit: 100 });
    expect(fleet.apps[0]?.appId).toBe(behind._id);
    expect(fleet.apps[0]?.regions.find((r) => r.name === cut.name)?.state).toBe('propagating');
    expect(fleet.apps[0]?.behind).toBe(1);
    expect(fleet.apps.slice(1).every((a) => a.behind === 0)).toBe(true);
    expect(fleet.regions.every((r) => r.reachable)).toBe(true);
  });
});

describe('worker against the devstack', () => {
  it('records a pub/sub arrival time in every region for a save', async () => {
    worker = await startWorker({ log: () => {} });
    await waitFor(
      () => worker?.subscribedRegions().length === listRegions().length,
      10_000,
      'subscriptions',
      20,
    );
    const app = await newApp();
    const { doc } = await save(app);
    const status = await waitForStatus(
      app,
      (s) => s.allInSync && s.regions.every((r) => r.method === 'pubsub'),
      'arrivals measured by pub/sub everywhere',
    );
    for (const region of status.regions) {
      expect(region.timeToArriveMs).toBeGreaterThanOrEqual(0);
      expect(region.arrivedAt).toBeGreaterThanOrEqual(doc.createdAt.getTime());
    }
  });

  it('measures by polling where pub/sub missed the message', async () => {
    const app = await newApp();
    // No worker while the save happens: nobody hears the message.
    const { doc } = await save(app);
    await waitForStatus(app, (s) => s.allInSync, 'in sync');
    worker = await startWorker({ log: () => {}, intervals: { pollMs: 100 } });
    const status = await waitForStatus(
      app,
      // The primary's own stamp time is exact, so it is preferred over a poll there.
      (s) => s.regions.every((r) => r.method === (r.role === 'primary' ? 'stamp' : 'poll')),
      'arrivals by poll',
    );
    expect(status.head?.version).toBe(doc.version);
  });

  it('primary down during 10 saves: all kept, "not pushed", then pushed by the worker to every region', async () => {
    const app = await newApp();
    await waitForStatus(app, (s) => s.allInSync, 'v1 everywhere');
    await fault(primary.name, 'kill');
    const saves = [];
    for (let i = 0; i < 10; i += 1) saves.push(await save(app));
    expect(saves.every((s) => !s.pushed)).toBe(true);
    const c = await collections();
    const stored = await c.configVersions.find({ appId: app._id, version: { $gte: 2 } }).toArray();
    expect(stored.map((d) => d.version).sort((a, b) => a - b)).toEqual([
      2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
    ]);
    expect(stored.every((d) => d.pushedAt === null && d.lastPushError)).toBe(true);

    const whileDown = await appPropagationStatus(app);
    expect(stateOf(whileDown, primary.name)).toBe('unreachable');

    // ioredis keeps commands that timed out in its offline queue and sends them on reconnect, so
    // the process that made these saves would replay its pushes itself (harmless: compare-and-set).
    // The case the worker exists for is that process being gone: drop its connections and queue.
    await closeRedis();
    await fault(primary.name, 'revive');
    const notPushed = await waitForStatus(
      app,
      (s) => stateOf(s, primary.name) === 'not_pushed',
      'primary back, not pushed yet',
      15_000,
    );
    expect(notPushed.regions.find((r) => r.name === primary.name)?.explanation).toContain(
      'worker retries',
    );

    worker = await startWorker({ log: () => {} });
    const done = await waitForStatus(
      app,
      (s) => s.allInSync,
      'the worker pushed the newest everywhere',
      20_000,
    );
    expect(done.head?.version).toBe(11);
    expect(done.regions.every((r) => r.stamp?.version === 11)).toBe(true);
    const unpushed = await c.configVersions.countDocuments({ appId: app._id, pushedAt: null });
    expect(unpushed).toBe(0);
  });

  it('a late retry of v8 after v9 leaves v9 everywhere', async () => {
    const app = await newApp();
    let v8: ConfigVersionDoc | undefined;
    for (let version = 2; version <= 9; version += 1) {
      const { doc } = await save(app);
      if (version === 8) v8 = doc;
    }
    if (!v8) throw new Error('no v8');
    // The outbox believes v8 never landed (a push whose reply was lost).
    const c = await collections();
    await c.configVersions.updateOne(
      { appId: app._id, version: 8 },
      { $set: { pushedAt: null, nextPushAt: null } },
    );
    worker = await startWorker({ log: () => {}, intervals: { pushRetryMs: 100 } });
    await waitFor(
      async () => (await c.configVersions.findOne({ appId: app._id, version: 8 }))?.pushedAt,
      10_000,
      'v8 retried',
      50,
    );
    const status = await waitForStatus(app, (s) => s.allInSync, 'in sync on v9');
    expect(status.regions.every((r) => r.stamp?.version === 9)).toBe(true);
  });

  it('primary emptied (wiping the replicas): every region behind, the worker re-pushes every head', async () => {
    const apps = await Promise.all(Array.from({ length: 3 }, () => newApp()));
    for (const app of apps) await save(app);
    for (const app of apps) await waitForStatus(app, (s) => s.allInSync, `${app._id} in sync`);

    // What a primary restarting without its data does: replicas resync to the empty dataset.
    await flushPrimary();
    const behind = await waitForStatus(
      apps[0] as AppDoc,
      (s) => s.regions.every((r) => r.stamp === null),
      'every region wiped',
    );
    expect(stateOf(behind, primary.name)).toBe('not_pushed');
    expect(
      behind.regions
        .filter((r) => r.role === 'replica')
        .every((r) => r.state === 'lagging' || r.state === 'propagating'),
    ).toBe(true);
    expect(behind.regions.find((r) => r.name === primary.name)?.explanation).toContain('re-pushes');

    worker = await startWorker({ log: () => {}, intervals: { reconcileMs: 200 } });
    for (const app of apps) {
      const status = await waitForStatus(app, (s) => s.allInSync, `${app._id} re-pushed`, 15_000);
      expect(status.regions.every((r) => r.stamp?.version === 2)).toBe(true);
    }
  });

  it('two workers side by side do no harm', async () => {
    const other = await startWorker({ log: () => {} });
    worker = await startWorker({ log: () => {} });
    try {
      await waitFor(
        () =>
          worker?.subscribedRegions().length === listRegions().length &&
          other.subscribedRegions().length === listRegions().length,
        10_000,
        'both subscribed',
        20,
      );
      const app = await newApp();
      for (let i = 0; i < 3; i += 1) await save(app);
      await waitForStatus(
        app,
        (s) => s.allInSync && s.regions.every((r) => r.arrivedAt !== null),
        'in sync, measured',
      );
      const c = await collections();
      const arrivals = await c.arrivals.find({ appId: app._id, version: 4 }).toArray();
      expect(arrivals.map((a) => a.region).sort()).toEqual(
        listRegions()
          .map((r) => r.name)
          .sort(),
      );
    } finally {
      await other.stop();
    }
  });
});

// Keep the stack's Redis tidy even when a test failed before its own cleanup.
afterAll(async () => {
  const redis = redisAs('writer', primary.url);
  await redis.del(...replicas.map((r) => `${REGION_DOWN_PREFIX}${r.name}`)).catch(() => 0);
  redis.disconnect();
});
