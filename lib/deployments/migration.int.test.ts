import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// Both deployments are declared (and a short verify window set) before the env is read.
const stack = await vi.hoisted(async () => {
  process.env.MIGRATION_VERIFY_WINDOW_MS = '1000';
  const { declareTwoDeployments } = await import('@/test/helpers/two-deployments');
  return declareTwoDeployments();
});

import { fault, waitFor } from '@/test/helpers/devstack';
import { configKey } from '@/lib/contract/cache-layout';
import { FLEET_INDEX_KEY, presenceKey } from '@/lib/contract/report-layout';
import { getCacheState } from '@/lib/db/cache-state';
import { ensureIndexes } from '@/lib/db/collections';
import { getDb } from '@/lib/db/mongo';
import { ACTIVE_DEPLOYMENT_KEY } from '@/lib/contract/deployment-marker';
import { backfillPass, copyHeads } from '@/lib/deployments/backfill';
import { commitVersion } from '@/lib/db/config-versions';
import { readHead } from '@/lib/db/heads';
import type { MigrationStep } from '@/lib/model/migration-gates';
import { takeStep } from '@/lib/deployments/migration-steps';
import { verifyPass } from '@/lib/deployments/verify';
import type { AppDoc } from '@/lib/db/collections';
import { createPushedApp, saveNextVersion, testAuthor } from '@/test/helpers/propagation';
import { closeStores } from '@/test/helpers/stores';
import { deploymentPrimaryRedis } from '@/lib/redis/clients';
import { retryDeploymentOutboxes } from '@/lib/worker/deployment-retry';

const created: string[] = [];
const apps: AppDoc[] = [];
const audit: string[] = [];
const olga = { id: 'u-olga', name: 'Olga' };
const oscar = { id: 'u-oscar', name: 'Oscar' };

async function step(step: MigrationStep, by = olga, target?: string) {
  const state = await getCacheState();
  return takeStep({
    step,
    expectRevision: state.revision,
    by,
    ...(target && { target }),
    audit: (entry) => {
      audit.push(entry.action);
      return Promise.resolve();
    },
  });
}

/** Until the diff has been clean for longer than the 1 s verify window set above. */
const waitForCleanWindow = (what: string) =>
  waitFor(
    async () => {
      const v = await verifyPass();
      return v?.cleanSince && Date.now() - v.cleanSince.getTime() > 1_100;
    },
    30_000,
    what,
    250,
  );

const versionIn = async (deployment: string, appId: string) =>
  Number(await deploymentPrimaryRedis(deployment).hget(configKey(appId), 'version'));

beforeAll(async () => {
  await ensureIndexes();
  for (let i = 0; i < 24; i += 1) apps.push(await createPushedApp('t-mig', created, 'mg'));
}, 120_000);

afterAll(async () => {
  for (const region of ['us-east-1', 'eu-west-1'])
    for (const action of ['revive', 'heal'] as const)
      await stack.fault('next', region, action).catch(() => undefined);
  await deploymentPrimaryRedis('home')
    .del(ACTIVE_DEPLOYMENT_KEY, FLEET_INDEX_KEY, presenceKey('svc-ap-1'))
    .catch(() => undefined);
  await deploymentPrimaryRedis('next')
    .del(ACTIVE_DEPLOYMENT_KEY)
    .catch(() => undefined);
  await (await getDb()).dropDatabase();
  await closeStores();
});

describe('a migration from home to next', () => {
  it('plans, then refuses a step whose gate is closed with the reason', async () => {
    expect((await step('cutOver')).message).toBe('No migration is under way.');
    const planned = await step('plan', olga, 'next');
    expect(planned.status).toBe('done');
    expect(planned.state.migration).toMatchObject({
      source: 'home',
      target: 'next',
      phase: 'planned',
    });
    expect((await step('cutOver')).message).toBe('Start the backfill first.');
  });

  it('backfills resumably: the target killed midway, the copy resumes where it stopped, nothing skipped', async () => {
    expect((await step('start')).status).toBe('done');
    const first = await backfillPass({ batch: 10, maxPages: 1 });
    expect(first).toMatchObject({ copied: 10, total: 24, finishedAt: null });

    await stack.fault('next', 'us-east-1', 'kill');
    // Saves go on meanwhile: the active deployment takes them, the target's outbox keeps them.
    const saved = await saveNextVersion(apps[0] as AppDoc);
    expect(saved.pushed).toBe(true);
    const failed = await backfillPass({ batch: 10 });
    expect(failed?.lastError).toMatch(/next did not take the copy/);
    expect(failed).toMatchObject({ copied: 10, cursor: first?.cursor });

    await stack.fault('next', 'us-east-1', 'revive');
    const done = await waitFor(
      async () => {
        const p = await backfillPass({ batch: 10 });
        return p?.finishedAt ? p : null;
      },
      20_000,
      'the backfill to finish after the revive',
      250,
    );
    expect(done).toMatchObject({ copied: 24, total: 24, lastError: null });
    for (const app of apps) expect(await versionIn('next', app._id)).toBeGreaterThanOrEqual(1);
    // The save made while the target was down reaches it through its outbox, retried as the
    // worker does, and the copy's v1 never overwrites it.
    await waitFor(
      async () => {
        await retryDeploymentOutboxes({ now: new Date(Date.now() + 60_000) });
        return (await versionIn('next', (apps[0] as AppDoc)._id)) === 2;
      },
      15_000,
      'v2 of the first app in next',
    );
  });

  it('verifies: a partitioned target region keeps the gate closed and is named', async () => {
    await waitFor(async () => (await verifyPass())?.cleanSince, 20_000, 'a clean diff', 250);
    await stack.fault('next', 'eu-west-1', 'partition');
    try {
      const v = await waitFor(
        async () => {
          const verify = await verifyPass();
          return verify?.regionsOutOfSync.length ? verify : null;
        },
        20_000,
        'the partition to show',
        250,
      );
      expect(v.regionsOutOfSync).toEqual([
        { region: 'eu-west-1', reason: 'replication link down' },
      ]);
      const refused = await step('cutOver');
      expect(refused).toMatchObject({ status: 'refused' });
      expect(refused.message).toMatch(/Not in sync: eu-west-1 \(replication link down\)/);
    } finally {
      await stack.fault('next', 'eu-west-1', 'heal');
    }
  });

  it('refuses the cut-over while an instance cannot reach the target, naming it', async () => {
    await waitForCleanWindow('the clean window');
    const home = deploymentPrimaryRedis('home');
    const presence = {
      instanceId: 'svc-ap-1',
      region: 'ap-south-1',
      deployment: 'home',
      epoch: 0,
      reaches: { home: true, next: false },
      apps: 3,
      reportedAt: Date.now(),
      intervalMs: 60_000,
    };
    await home.set(presenceKey('svc-ap-1'), JSON.stringify(presence));
    await home.zadd(FLEET_INDEX_KEY, presence.reportedAt, 'svc-ap-1');
    const refused = await step('cutOver');
    expect(refused.message).toBe('1 instance cannot reach next: svc-ap-1 (ap-south-1).');
    await home.set(
      presenceKey('svc-ap-1'),
      JSON.stringify({ ...presence, reaches: { home: true, next: true } }),
    );
  });

  it('cuts over (marker with a new epoch in both primaries); of two rollbacks at once one wins', async () => {
    await verifyPass();
    const cut = await step('cutOver');
    expect(cut).toMatchObject({ status: 'done', state: { active: 'next', epoch: 1 } });
    for (const d of ['home', 'next'])
      expect(await deploymentPrimaryRedis(d).hgetall(ACTIVE_DEPLOYMENT_KEY)).toMatchObject({
        deployment: 'next',
        epoch: '1',
      });

    // The old deployment killed after the cut-over: saves are neither failed nor slowed.
    await fault('us-east-1', 'kill');
    try {
      await deploymentPrimaryRedis('next').ping();
      const started = performance.now();
      const saved = await saveNextVersion(apps[2] as AppDoc);
      expect(saved.pushed).toBe(true);
      expect(performance.now() - started).toBeLessThan(500);
      expect(await versionIn('next', (apps[2] as AppDoc)._id)).toBe(saved.doc.version);
    } finally {
      await fault('us-east-1', 'revive');
    }
    await waitFor(async () => (await deploymentPrimaryRedis('home').ping()) === 'PONG', 10_000);
    const state = await getCacheState();
    const [a, b] = await Promise.all(
      [olga, oscar].map((by) =>
        takeStep({
          step: 'rollBack',
          expectRevision: state.revision,
          by,
          audit: () => Promise.resolve(),
        }),
      ),
    );
    const outcomes = [a, b].map((r) => r?.status).sort();
    expect(outcomes).toEqual(['done', 'refused']);
    const loser = [a, b].find((r) => r?.status === 'refused');
    expect(loser?.message).toMatch(
      /^(Olga|Oscar) rolled back at \d\d:\d\d:\d\d UTC while you were looking/,
    );
    expect(await getCacheState()).toMatchObject({ active: 'home', epoch: 2 });
    expect(await deploymentPrimaryRedis('next').hget(ACTIVE_DEPLOYMENT_KEY, 'epoch')).toBe('2');
  });

  it('saves during a cut-over reach both sides; finishing retires the source', async () => {
    await waitForCleanWindow('the clean window again');
    expect((await step('cutOver')).state).toMatchObject({ active: 'next', epoch: 3 });
    const app = apps[1] as AppDoc;
    const { doc } = await saveNextVersion(app);
    expect(await versionIn('next', app._id)).toBe(doc.version);
    await waitFor(
      async () => (await versionIn('home', app._id)) === doc.version,
      5_000,
      'the dual write to home',
    );
    await deploymentPrimaryRedis('home').del(presenceKey('svc-ap-1'));
    await deploymentPrimaryRedis('home').zrem(FLEET_INDEX_KEY, 'svc-ap-1');
    const finished = await step('finish');
    expect(finished).toMatchObject({
      status: 'done',
      state: { active: 'next', epoch: 4, migration: null },
    });
    // The marker tells services, in both primaries, that home is retired.
    for (const d of ['home', 'next'])
      expect(await deploymentPrimaryRedis(d).hgetall(ACTIVE_DEPLOYMENT_KEY)).toMatchObject({
        deployment: 'next',
        epoch: '4',
        live: 'next',
      });
    const after = await saveNextVersion(app);
    expect(await versionIn('next', app._id)).toBe(after.doc.version);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await versionIn('home', app._id)).toBe(doc.version); // retired: no more dual writes
    expect(audit).toEqual([
      'migration.planned',
      'migration.started',
      'migration.cut_over',
      'migration.cut_over',
      'migration.finished',
    ]);
  });

  it('copies an archived app as a tombstone, so services on the target do not serve it again', async () => {
    const app = await createPushedApp('t-mig', created, 'ar');
    const head = await readHead(app._id);
    const tombstone = await commitVersion({
      app,
      expectedVersion: 1,
      data: head!.data,
      author: testAuthor,
      message: 'Archived',
      archived: true,
    });
    expect(tombstone.status).toBe('committed');
    for (let cursor: string | null = null; ;) {
      const page = await copyHeads({ deployment: 'home', cursor });
      if (!page) break;
      cursor = page.cursor;
    }
    const entry = await deploymentPrimaryRedis('home').hgetall(configKey(app._id));
    expect(entry.version).toBe('2');
    expect(entry.archived).toBeTruthy();
    expect(entry.body).toBeUndefined();
  });
});
