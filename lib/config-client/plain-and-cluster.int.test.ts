import { afterAll, describe, expect, it, vi } from 'vitest';

// Both deployments are declared before any module that reads the env is imported.
const kinds = await vi.hoisted(async () => {
  const { declarePlainAndCluster } = await import('@/test/helpers/cluster-deployment');
  return declarePlainAndCluster();
});

import { configKey, UPDATES_CHANNEL, type UpdateMessage } from '@/lib/contract/cache-layout';
import { canonicalJson, checksum } from '@/lib/contract/canonical-json';
import { createConfigClient, type ConfigChange, type ConfigClient } from '@/lib/config-client';
import { readInstanceReports } from '@/lib/instances/read-reports';
import { pushManyToPrimary, pushToPrimary, type PushInput } from '@/lib/propagation/push';
import { closeRedis, deploymentPrimaryRedis } from '@/lib/redis/clients';
import { connectionAs } from '@/devstack/endpoints';
import { waitFor } from '@/test/helpers/devstack';
import {
  appsWritten,
  deploymentAs,
  urlsOf,
  type DeploymentKind,
} from '@/test/helpers/cluster-deployment';

/**
 * The config client on both kinds of cache deployment, a plain one and a Redis Cluster: it reads
 * every app from its region's nodes (whichever shard holds it), follows a push by its update
 * message, reads again when a message comes before its data (a cluster's bus can outrun
 * replication), and reports to the primary; the reader user cannot write.
 */

const { newApps, removeAll } = appsWritten(kinds, 'pcc');
const clients: ConfigClient[] = [];

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await removeAll();
  await closeRedis({ subscribers: true });
});

function input(appId: string, version: number): PushInput {
  const data = { appId, version, greeting: `hello v${version}` };
  return { appId, version, checksum: checksum(data), data, committedAt: new Date() };
}

function euClient(kind: DeploymentKind, apps: string[], report = false): ConfigClient {
  const [first, ...rest] = urlsOf(kind, 'eu-west-1');
  const [primary] = urlsOf(kind, 'us-east-1');
  const cluster = kind.kind === 'cluster';
  const c = createConfigClient({
    redisUrl: first!,
    ...(cluster && { cluster: { nodes: rest } }),
    connection: connectionAs('reader', first!),
    region: 'eu-west-1',
    apps,
    stampCheckIntervalMs: 10_000,
    readyTimeoutMs: 5_000,
    ...(report && {
      report: {
        redisUrl: primary!,
        cluster,
        connection: connectionAs('reporter', primary!),
        intervalMs: 300,
      },
    }),
  });
  clients.push(c);
  return c;
}

/**
 * Subscribed, and the stamp check that follows the first subscription is done: a change after
 * this can only arrive by a message.
 */
async function subscribedAndChecked(c: ConfigClient): Promise<void> {
  await waitFor(() => c.status().connected && c.stats().stampChecks > 0, 5_000, 'subscribed');
  await new Promise((resolve) => setTimeout(resolve, 100));
}

describe.each(kinds)('config client on a $kind deployment', (kind) => {
  const primary = () => deploymentPrimaryRedis(kind.name);

  it('reads apps of every shard from its region’s nodes', async () => {
    const apps = newApps(kind, 20);
    await pushManyToPrimary(
      primary(),
      apps.map((a) => input(a, 3)),
    );
    const c = euClient(kind, apps);
    const entries = await Promise.all(apps.map((a) => c.ready(a)));
    expect(entries.map((e) => e.version)).toEqual(apps.map(() => 3));
    expect(entries[0]?.config).toEqual(input(apps[0]!, 3).data);
    await waitFor(() => c.status().connected, 5_000, 'connected');
    expect(c.status().replicaLinkUp).toBe(true);
  });

  it('follows a push by its update message, not the stamp check', async () => {
    const apps = newApps(kind, 6);
    await pushManyToPrimary(
      primary(),
      apps.map((a) => input(a, 1)),
    );
    const c = euClient(kind, apps);
    await Promise.all(apps.map((a) => c.ready(a)));
    await subscribedAndChecked(c);
    const changes: ConfigChange[] = [];
    c.onChange((change) => changes.push(change));
    await Promise.all(apps.map((a) => pushToPrimary(primary(), input(a, 2))));
    await waitFor(() => changes.length === apps.length, 3_000, 'every app changed');
    expect(changes.every((ch) => ch.source === 'message' && ch.current?.version === 2)).toBe(true);
  });

  it('reads again when a message comes before the data it announces', async () => {
    const [app] = newApps(kind, 1);
    await pushToPrimary(primary(), input(app!, 1));
    const c = euClient(kind, [app!]);
    await c.ready(app!);
    await subscribedAndChecked(c);
    const changes: ConfigChange[] = [];
    c.onChange((change) => changes.push(change));
    const next = input(app!, 2);
    const message: UpdateMessage = {
      appId: app!,
      version: 2,
      checksum: next.checksum,
      committedAt: next.committedAt.getTime(),
    };
    const admin = deploymentAs('admin', kind);
    try {
      await admin.publish(UPDATES_CHANNEL, JSON.stringify(message));
      await new Promise((resolve) => setTimeout(resolve, 80));
      // The data lands after its message, and nothing announces it again.
      await admin.hset(configKey(app!), {
        version: '2',
        checksum: next.checksum,
        body: canonicalJson(next.data),
        committedAt: String(message.committedAt),
        pushedAt: String(Date.now()),
      });
    } finally {
      admin.disconnect();
    }
    await waitFor(() => changes.length > 0, 2_000, 'the announced version');
    expect(changes[0]).toMatchObject({ source: 'message', current: { version: 2 } });
  });

  it('reports to the primary, as the reporter user', async () => {
    const apps = newApps(kind, 4);
    await pushManyToPrimary(
      primary(),
      apps.map((a) => input(a, 5)),
    );
    const c = euClient(kind, apps, true);
    await Promise.all(apps.map((a) => c.ready(a)));
    for (const app of apps) {
      const reports = await waitFor(async () => {
        const r = await readInstanceReports(primary(), app);
        return r.length > 0 ? r : undefined;
      });
      expect(reports[0]).toMatchObject({ instanceId: c.instanceId, version: 5 });
    }
  });

  it('reads as a user that cannot write', async () => {
    const reader = deploymentAs('reader', kind);
    try {
      await expect(reader.hset(configKey('pcc-nope'), 'version', '1')).rejects.toThrow(/NOPERM/);
    } finally {
      reader.disconnect();
    }
  });
});
