import { afterAll, describe, expect, it, vi } from 'vitest';

// Both deployments are declared before any module that reads the env is imported.
const stack = await vi.hoisted(async () => {
  const { declareTwoDeployments } = await import('@/test/helpers/two-deployments');
  return declareTwoDeployments();
});

import { applyStep, getCacheState } from '@/lib/db/cache-state';
import type { MigrationDoc } from '@/lib/model/migration';
import { readFleet, regionHealthNow } from '@/lib/propagation/read-status';
import { waitForConvergence } from '@/lib/propagation/wait';
import { waitFor } from '@/test/helpers/devstack';
import { suiteObserver } from '@/test/helpers/observer';
import { createPushedApp, saveNextVersion } from '@/test/helpers/propagation';
import { syncingMigration } from '@/test/helpers/two-deployments';

/**
 * The observer during a migration: it watches every live cache deployment (the active one and,
 * while a migration writes to both, the other), shows each region labelled with its deployment,
 * keeps "in sync" and waits about the deployment services read from, and drops a deployment
 * once it is retired.
 */

const created: string[] = [];
const actor = { id: 'int-operator', name: 'Int Operator' };
const observer = suiteObserver();

afterAll(async () => {
  await stack.fault('next', 'eu-west-1', 'revive').catch(() => undefined);
});

const deploymentsWatched = () => [...new Set(observer().regions.map((r) => r.deployment))];

async function step(
  action: string,
  set: (m: MigrationDoc | null) => Parameters<typeof applyStep>[0]['set'],
) {
  const state = await getCacheState();
  const outcome = await applyStep({
    expectRevision: state.revision,
    action,
    by: actor,
    set: set(state.migration),
  });
  expect(outcome.status).toBe('applied');
}

describe('status observer across cache deployments', () => {
  it('watches the active deployment alone outside a migration', () => {
    expect(deploymentsWatched()).toEqual(['home']);
    expect(observer().activeDeployment).toBe('home');
  });

  it('adds the target while dual writes run, and shows both deployments’ regions, labelled', async () => {
    const app = await createPushedApp('t-obs-mig', created, 'obsmig');
    await step('start', () => ({ migration: syncingMigration(actor) }));
    await waitFor(() => deploymentsWatched().join() === 'home,next', 5_000, 'next watched', 20);
    // A save now reaches both (dual writes): every region of both shows it, each judged against
    // its own deployment's primary.
    const { doc } = await saveNextVersion(app);
    const status = await waitFor(
      async () => {
        const s = observer().statusOf(await observer().appEntry(app._id));
        return s.regions.every((r) => r.state === 'in_sync' && r.stamp?.version === doc.version)
          ? s
          : null;
      },
      10_000,
      'every region of both deployments on the save',
      50,
    );
    expect(status.regions.map((r) => `${r.deployment}/${r.name}/${r.role}`)).toEqual([
      ...observer().regions.map((r) => `${r.deployment}/${r.name}/${r.role}`),
    ]);
    expect(status.regions.filter((r) => r.deployment === 'next').map((r) => r.name)).toEqual([
      'us-east-1',
      'eu-west-1',
    ]);
    expect(status.allInSync).toBe(true);
    expect(regionHealthNow(observer()).map((r) => `${r.deployment}/${r.name}`)).toContain(
      'next/eu-west-1',
    );

    // The fleet, filtered by deployment, shows and counts that deployment's regions only.
    const fleet = await readFleet({ limit: 50, deployment: 'next' }, { observer: observer() });
    expect(fleet.regions.map((r) => r.deployment)).toEqual(['next', 'next']);
    expect(fleet.apps.find((a) => a.appId === app._id)?.regions.map((r) => r.name)).toEqual([
      'us-east-1',
      'eu-west-1',
    ]);

    // The target's replica cut off: shown behind there, while services' deployment stays in
    // sync and a wait for the save still converges (it is about what services read).
    await stack.fault('next', 'eu-west-1', 'kill');
    const { doc: next } = await saveNextVersion(app);
    const waited = await waitForConvergence(app, next.version, 5_000, { observer: observer() });
    expect(waited.converged).toBe(true);
    const entry = await observer().appEntry(app._id);
    const behind = await waitFor(
      () => {
        const s = observer().statusOf(entry);
        const cut = s.regions.find((r) => r.deployment === 'next' && r.name === 'eu-west-1');
        return cut && cut.state !== 'in_sync' ? s : null;
      },
      5_000,
      'the cut-off target region behind',
      50,
    );
    expect(behind.allInSync).toBe(true);
    const filtered = await readFleet({ limit: 50, deployment: 'home' }, { observer: observer() });
    expect(filtered.apps.find((a) => a.appId === app._id)?.behind).toBe(0);
    await stack.fault('next', 'eu-west-1', 'revive');
  });

  it('follows the cut-over (the target becomes active) and drops the old one when retired', async () => {
    await step('cut-over', (m) => ({
      active: 'next',
      epoch: 1,
      migration: m && { ...m, phase: 'cut-over', cutOverAt: new Date() },
    }));
    await waitFor(() => observer().activeDeployment === 'next', 5_000, 'next active', 20);
    expect(deploymentsWatched()).toEqual(['next', 'home']);
    await step('finish', () => ({ migration: null }));
    await waitFor(() => deploymentsWatched().join() === 'next', 5_000, 'home dropped', 20);
    expect(observer().stats().subscriptions).toBe(2);
    const app = created[0];
    if (!app) throw new Error('no app');
    const status = observer().statusOf(await observer().appEntry(app));
    expect(status.regions.every((r) => r.deployment === 'next')).toBe(true);
  });
});
