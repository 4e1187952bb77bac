import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// Both deployments are declared before any module that reads the env is imported.
const stack = await vi.hoisted(async () => {
  const { declareTwoDeployments } = await import('@/test/helpers/two-deployments');
  return declareTwoDeployments();
});

import { waitFor } from '@/test/helpers/devstack';
import { syncingMigration } from '@/test/helpers/two-deployments';
import { configKey } from '@/lib/contract/cache-layout';
import { getCacheState, applyStep } from '@/lib/db/cache-state';
import { collections, ensureIndexes } from '@/lib/db/collections';
import { countDeploymentOutbox, enqueueDeploymentPush } from '@/lib/db/deployment-outbox';
import { getDb } from '@/lib/db/mongo';
import { createPushedApp, saveNextVersion } from '@/test/helpers/propagation';
import { pushToOtherDeployment } from '@/lib/propagation/push-version';
import { deploymentPrimaryRedis } from '@/lib/redis/clients';
import { retryDeploymentOutboxes } from '@/lib/worker/deployment-retry';
import { closeStores } from '@/test/helpers/stores';

const created: string[] = [];
const actor = { id: 'int-operator', name: 'Int Operator' };

beforeAll(() => ensureIndexes());

afterAll(async () => {
  await stack.fault('next', 'us-east-1', 'revive').catch(() => undefined);
  await (await getDb()).dropDatabase();
  await closeStores();
});

const versionIn = async (deployment: string, appId: string) =>
  Number(await deploymentPrimaryRedis(deployment).hget(configKey(appId), 'version'));

async function startDualWrites(): Promise<void> {
  const state = await getCacheState();
  expect(state.active).toBe('home');
  const migration = syncingMigration(actor);
  const outcome = await applyStep({
    expectRevision: state.revision,
    action: 'start',
    by: actor,
    set: { migration },
  });
  expect(outcome.status).toBe('applied');
}

describe('dual writes with a per-deployment outbox', () => {
  it('pushes only to the active deployment before a migration starts', async () => {
    const app = await createPushedApp('t-mig', created, 'dw');
    expect(await versionIn('home', app._id)).toBe(1);
    expect(await versionIn('next', app._id)).toBe(0);
  });

  it('during dual writes every save reaches both deployments and leaves no outbox entry', async () => {
    await startDualWrites();
    const app = await createPushedApp('t-mig', created, 'dw');
    const { pushed } = await saveNextVersion(app);
    expect(pushed).toBe(true);
    expect(await versionIn('home', app._id)).toBe(2);
    await waitFor(async () => (await versionIn('next', app._id)) === 2, 5_000, 'next to get v2');
    await waitFor(
      async () => (await countDeploymentOutbox('next')).pending === 0,
      5_000,
      'the outbox of next to drain',
    );
  });

  it('a target that is down neither fails nor slows a save; the worker catches it up alone', async () => {
    const app = await createPushedApp('t-mig', created, 'dw');
    await stack.fault('next', 'us-east-1', 'kill');
    // Warm the active connection so the timing below is the save's, not a first connect.
    await deploymentPrimaryRedis('home').ping();
    const started = performance.now();
    const { pushed } = await saveNextVersion(app);
    const tookMs = performance.now() - started;
    expect(pushed).toBe(true);
    // The target's connection gives up after about a second; the save does not wait for it.
    expect(tookMs).toBeLessThan(500);
    expect(await versionIn('home', app._id)).toBe(2);

    const entry = await waitFor(
      async () => {
        const c = await collections();
        const doc = await c.deploymentOutbox.findOne({ deployment: 'next', appId: app._id });
        return doc?.lastError ? doc : null;
      },
      10_000,
      'the failed push to be recorded in the outbox of next',
    );
    expect(entry.version).toBe(2);
    expect(entry.attempts).toBeGreaterThanOrEqual(1);

    // A pass while the target is still down fails for it alone, and keeps the entry.
    const whileDown = await retryDeploymentOutboxes({
      now: new Date(Date.now() + 120_000),
    });
    expect(whileDown).toEqual([
      expect.objectContaining({ deployment: 'next', pushed: 0, failed: 1 }),
    ]);
    expect((await countDeploymentOutbox('next')).pending).toBeGreaterThanOrEqual(1);

    // A further save meanwhile raises the entry to the newest version.
    await saveNextVersion(app);
    await waitFor(
      async () => {
        const c = await collections();
        return (
          (await c.deploymentOutbox.findOne({ deployment: 'next', appId: app._id }))?.version === 3
        );
      },
      5_000,
      'the outbox entry to hold v3',
    );

    await stack.fault('next', 'us-east-1', 'revive');
    await waitFor(
      async () => {
        await retryDeploymentOutboxes({ now: new Date(Date.now() + 600_000) });
        return (await versionIn('next', app._id)) === 3;
      },
      15_000,
      'the worker to push v3 to next',
      250,
    );
    const c = await collections();
    expect(await c.deploymentOutbox.countDocuments({ deployment: 'next', appId: app._id })).toBe(0);
    expect(await versionIn('home', app._id)).toBe(3);
  });

  it('a late retry of an older version never overwrites a newer one in the target', async () => {
    const app = await createPushedApp('t-mig', created, 'dw');
    await saveNextVersion(app);
    await waitFor(async () => (await versionIn('next', app._id)) === 2, 5_000, 'v2 in next');
    await enqueueDeploymentPush({ deployment: 'next', appId: app._id, version: 1 });
    const c = await collections();
    const v1 = await c.configVersions.findOne({ appId: app._id, version: 1 });
    if (!v1) throw new Error('v1 missing');
    expect(await pushToOtherDeployment('next', v1)).toBe(true);
    expect(await versionIn('next', app._id)).toBe(2);
  });
});
