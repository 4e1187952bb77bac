import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { declarationOf } from '../../devstack/deployments';
import { connectionAs, endpoints } from '../../devstack/endpoints';
import { fault, redisAs, waitFor } from '../../test/helpers/devstack';
import { checksum } from '../contract/canonical-json';
import {
  ACTIVE_DEPLOYMENT_KEY,
  DEPLOYMENT_CHANNEL,
  MARKER_SCRIPT,
  markerScriptArgs,
} from '../contract/deployment-marker';
import { presenceKey } from '../contract/report-layout';
import { pushToPrimary } from '../propagation/push';
import { declareTwoDeployments, type TwoDeployments } from '../../test/helpers/two-deployments';
import { createFollowingConfigClient, type FollowingConfigClient } from './following-client';
import type { ConfigEntry } from './types';

/**
 * The deployment-following client against two real deployments: `home` (the int devstack) and
 * `next` (a primary and a eu-west-1 replica beside it). The client in eu-west-1 is given its
 * replica in each; markers are written to the primaries as Propagate's cut-over writes them.
 */
let stack: TwoDeployments;
const writers = new Map<string, Redis>();
const clients: FollowingConfigClient<unknown>[] = [];
const appIds: string[] = [];
let endpointsIn: Record<string, { primary: string; euWest: string }>;

beforeAll(async () => {
  const homeEnv = { ...process.env } as Record<string, string>;
  stack = await declareTwoDeployments();
  const home = declarationOf('home', homeEnv);
  const next = declarationOf('next', stack.next.env);
  const eu = (d: typeof home) => d.replicas?.find((r) => r.region === 'eu-west-1')?.url ?? '';
  endpointsIn = {
    home: { primary: home.primary.url, euWest: eu(home) },
    next: { primary: next.primary.url, euWest: eu(next) },
  };
  expect(endpoints(homeEnv).primary.url).toBe(home.primary.url);
  for (const [name, e] of Object.entries(endpointsIn))
    writers.set(name, redisAs('writer', e.primary));
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const writer of writers.values()) {
    await writer.del(ACTIVE_DEPLOYMENT_KEY, ...appIds.map((id) => `propagate:cfg:${id}`));
  }
  appIds.splice(0);
});

afterAll(async () => {
  await Promise.all([...writers.values()].map((w) => w.quit()));
});

const writer = (name: string) => {
  const w = writers.get(name);
  if (!w) throw new Error(name);
  return w;
};

async function save(deployment: string, appId: string, version: number) {
  const data = { branding: { displayName: `v${version}` } };
  await pushToPrimary(writer(deployment), {
    appId,
    version,
    checksum: checksum(data),
    data,
    committedAt: new Date(),
  });
}

async function mark(
  deployment: string,
  marker: { deployment: string; epoch: number; live?: string[] },
) {
  return writer(deployment).eval(MARKER_SCRIPT, 1, ...markerScriptArgs(marker));
}

function start(appId: string, { report = false } = {}) {
  const client = createFollowingConfigClient({
    region: 'eu-west-1',
    deployments: ['home', 'next'].map((name) => ({
      name,
      redisUrl: endpointsIn[name]?.euWest ?? '',
      ...(report && { reportUrl: endpointsIn[name]?.primary ?? '' }),
    })),
    // One devstack: every deployment has the same users.
    connection: connectionAs('reader', endpointsIn.home?.euWest ?? ''),
    apps: [appId],
    markerCheckIntervalMs: 200,
    stampCheckIntervalMs: 500,
    ...(report && {
      report: {
        intervalMs: 500,
        connection: connectionAs('reporter', endpointsIn.home?.primary ?? ''),
      },
    }),
  });
  clients.push(client);
  const served: number[] = [];
  client.onChange((change) => served.push(change.current?.version ?? -1));
  return { client, served };
}

/** A new app saved at these versions in the two deployments, and a client that has read it. */
async function readyClient(versions: { home: number; next: number }, options = { report: false }) {
  const appId = newApp();
  await save('home', appId, versions.home);
  await save('next', appId, versions.next);
  const { client, served } = start(appId, options);
  await client.ready(appId);
  return { appId, client, served };
}

function newApp(): string {
  const id = `fc-${randomUUID().slice(0, 8)}`;
  appIds.push(id);
  return id;
}

/** Connections this client holds open to a deployment's eu-west-1 replica. */
async function connectionsTo(deployment: string, instanceId: string): Promise<number> {
  const replica = redisAs('admin', endpointsIn[deployment]?.euWest ?? '');
  try {
    const list = (await replica.call('CLIENT', 'LIST')) as string;
    return list.split('\n').filter((line) => line.includes(instanceId)).length;
  } finally {
    replica.disconnect();
  }
}

const on = (client: FollowingConfigClient<unknown>, deployment: string) => () =>
  client.source().deployment === deployment;

describe('the client follows the active-deployment marker', () => {
  it('reads from its home deployment while no marker exists, and reaches both', async () => {
    const { appId, client } = await readyClient({ home: 1, next: 1 });
    expect(client.get(appId).version).toBe(1);
    await waitFor(() => client.source().reaches.next && client.source().reaches.home, 5_000);
    expect(client.source()).toMatchObject({ deployment: 'home', following: { epoch: 0 } });
  });

  it('switches to the deployment with the highest epoch when two deployments disagree', async () => {
    const { appId, client, served } = await readyClient({ home: 1, next: 2 });
    await mark('home', { deployment: 'home', epoch: 1 });
    await mark('next', { deployment: 'next', epoch: 2 });
    await waitFor(on(client, 'next'), 5_000, 'the switch to next');
    expect(client.get(appId).version).toBe(2);
    expect(client.source().following).toEqual({ deployment: 'next', epoch: 2 });
    expect(served).toEqual([1, 2]);
  });

  it('ignores a marker with an older epoch than the one it follows', async () => {
    const { client } = await readyClient({ home: 1, next: 1 });
    await mark('next', { deployment: 'next', epoch: 5 });
    await waitFor(on(client, 'next'), 5_000, 'the switch to next');
    // A stale marker (an old primary that missed the cut-over) names home with epoch 4.
    await mark('home', { deployment: 'home', epoch: 4 });
    await writer('home').publish(
      DEPLOYMENT_CHANNEL,
      JSON.stringify({ deployment: 'home', epoch: 4 }),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // five marker checks
    expect(client.source()).toMatchObject({ deployment: 'next', following: { epoch: 5 } });
  });

  it('never serves an older version: a switch to a source that is behind keeps the newer one', async () => {
    const { appId, client, served } = await readyClient({ home: 3, next: 3 });
    await mark('next', { deployment: 'next', epoch: 1 });
    await waitFor(on(client, 'next'), 5_000, 'the switch to next');
    await save('next', appId, 4); // home missed v4 (say its push is still being retried)
    await waitFor(() => client.get(appId).version === 4, 5_000, 'v4 from next');
    // Roll back to home, which still holds v3.
    await mark('home', { deployment: 'home', epoch: 2 });
    await waitFor(on(client, 'home'), 5_000, 'the switch back to home');
    expect(client.get(appId).version).toBe(4);
    await save('home', appId, 4);
    await save('home', appId, 5);
    await waitFor(() => client.get(appId).version === 5, 5_000, 'v5 from home');
    expect(served).toEqual([3, 4, 5]);
  });

  it('does not switch to a deployment it cannot load from, and keeps serving', async () => {
    const appId = newApp();
    await save('home', appId, 1); // next has no entry for the app
    const { client } = start(appId);
    const first: ConfigEntry<unknown> = await client.ready(appId);
    await mark('next', { deployment: 'next', epoch: 1 });
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(client.source()).toMatchObject({
      deployment: 'home',
      following: { deployment: 'next' },
    });
    expect(client.get(appId)).toBe(first);
    await save('next', appId, 1);
    await waitFor(on(client, 'next'), 15_000, 'the switch once next has the app');
    expect(client.get(appId).version).toBe(1);
  });

  it('drops a retired deployment after a finish marker: every connection closed, no restart, and says so', async () => {
    const { appId, client, served } = await readyClient({ home: 1, next: 1 }, { report: true });
    await mark('next', { deployment: 'next', epoch: 1, live: ['next', 'home'] });
    await waitFor(on(client, 'next'), 5_000, 'the cut-over to next');
    await waitFor(
      async () => (await connectionsTo('home', client.instanceId)) > 0,
      5_000,
      'connections to home',
    );
    expect(client.source().retired).toEqual([]);

    // The finish: a new epoch whose live list leaves home out, written to both primaries.
    for (const d of ['next', 'home'])
      await mark(d, { deployment: 'next', epoch: 2, live: ['next'] });
    await waitFor(() => client.source().retired.includes('home'), 5_000, 'home to be retired');
    await waitFor(
      async () => (await connectionsTo('home', client.instanceId)) === 0,
      5_000,
      'every connection to home closed',
    );
    expect(await connectionsTo('next', client.instanceId)).toBeGreaterThan(0);
    expect(client.source()).toMatchObject({ deployment: 'next', reaches: { next: true } });
    expect(Object.keys(client.source().reaches)).toEqual(['next']);

    // It reports the retirement where it reports, and withdrew its presence from home.
    const presence = await waitFor(
      async () => {
        const raw = await writer('next').get(presenceKey(client.instanceId));
        const parsed = raw ? (JSON.parse(raw) as { retired?: string[] }) : null;
        return parsed?.retired?.includes('home') ? parsed : null;
      },
      5_000,
      'the presence in next to name home as retired',
    );
    expect(presence).toMatchObject({ deployment: 'next', epoch: 2, retired: ['home'] });
    expect(await writer('home').get(presenceKey(client.instanceId))).toBeNull();

    // It goes on following next; a later marker naming home does not reopen it (a restart would).
    await save('next', appId, 2);
    await waitFor(() => client.get(appId).version === 2, 5_000, 'v2 from next');
    await writer('home').del(ACTIVE_DEPLOYMENT_KEY);
    await mark('home', { deployment: 'home', epoch: 3, live: ['home'] });
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(client.source().deployment).toBe('next');
    expect(served).toEqual([1, 2]);
  });

  it('the old deployment killed after the cut-over: the client keeps serving and following the new one', async () => {
    const { appId, client, served } = await readyClient({ home: 1, next: 1 });
    await mark('next', { deployment: 'next', epoch: 1, live: ['next', 'home'] });
    await waitFor(on(client, 'next'), 5_000, 'the cut-over to next');
    await waitFor(() => client.source().reaches.home === true, 5_000, 'home reachable');
    // Its endpoint in home (the eu-west-1 replica) dies.
    await fault('eu-west-1', 'kill');
    try {
      await waitFor(() => client.source().reaches.home === false, 10_000, 'home unreachable');
      await save('next', appId, 2);
      await waitFor(() => client.get(appId).version === 2, 5_000, 'v2 from next');
      expect(client.source()).toMatchObject({ deployment: 'next' });
      expect(client.status().connected).toBe(true);
    } finally {
      await fault('eu-west-1', 'revive');
    }
    await waitFor(() => client.source().reaches.home === true, 15_000, 'home back');
    expect(served).toEqual([1, 2]);
  });
});
