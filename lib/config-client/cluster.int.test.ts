import { afterAll, describe, expect, it, vi } from 'vitest';

// The cluster is declared before any module that reads the env is imported.
const cluster = await vi.hoisted(async () => {
  const { declareClusterDeployment } = await import('@/test/helpers/cluster-deployment');
  return declareClusterDeployment();
});

import { randomBytes } from 'node:crypto';
import { configKey, UPDATES_CHANNEL, type UpdateMessage } from '@/lib/contract/cache-layout';
import { canonicalJson, checksum } from '@/lib/contract/canonical-json';
import { createConfigClient, type ConfigChange, type ConfigClient } from '@/lib/config-client';
import { readInstanceReports } from '@/lib/instances/read-reports';
import { pushManyToPrimary, pushToPrimary, type PushInput } from '@/lib/propagation/push';
import { closeRedis, deploymentPrimaryRedis } from '@/lib/redis/clients';
import { connectionAs } from '@/devstack/endpoints';
import { waitFor } from '@/test/helpers/devstack';
import { clusterAs } from '@/test/helpers/cluster-deployment';

/**
 * The config client on a Redis Cluster deployment: it reads every app from its region's replica
 * nodes (whichever shard holds it), follows a push by the update message the cluster broadcasts,
 * and reports to the cluster's masters; the reader user still cannot write.
 */

const [euFirst, ...euRest] = cluster.urls('eu-west-1');
const [primarySeed] = cluster.urls('us-east-1');
const admin = clusterAs('admin', cluster.nodes[0]!);
const written: string[] = [];
const clients: ConfigClient[] = [];

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(written.map((id) => admin.del(configKey(id))));
  admin.disconnect();
  await closeRedis({ subscribers: true });
});

const primary = () => deploymentPrimaryRedis('cluster');

function input(appId: string, version: number): PushInput {
  const data = { appId, version, greeting: `hello v${version}` };
  return { appId, version, checksum: checksum(data), data, committedAt: new Date() };
}

function newApps(count: number): string[] {
  const ids = Array.from({ length: count }, () => `clc-${randomBytes(5).toString('hex')}`);
  written.push(...ids);
  return ids;
}

function euClient(apps: string[], report = false): ConfigClient {
  const c = createConfigClient({
    redisUrl: euFirst!,
    cluster: { nodes: euRest },
    connection: connectionAs('reader', euFirst!),
    region: 'eu-west-1',
    apps,
    stampCheckIntervalMs: 10_000,
    readyTimeoutMs: 5_000,
    ...(report && {
      report: {
        redisUrl: primarySeed!,
        cluster: true,
        connection: connectionAs('reporter', primarySeed!),
        intervalMs: 300,
      },
    }),
  });
  clients.push(c);
  return c;
}

describe('config client on a cluster deployment', () => {
  it('reads apps of every shard from its region’s replica nodes', async () => {
    const apps = newApps(20);
    await pushManyToPrimary(
      primary(),
      apps.map((a) => input(a, 3)),
    );
    const c = euClient(apps);
    const entries = await Promise.all(apps.map((a) => c.ready(a)));
    expect(entries.map((e) => e.version)).toEqual(apps.map(() => 3));
    expect(entries[0]?.config).toEqual(input(apps[0]!, 3).data);
    await waitFor(() => c.status().connected, 5_000, 'connected');
    expect(c.status().replicaLinkUp).toBe(true);
  });

  it('follows a push by the broadcast update message, not the stamp check', async () => {
    const apps = newApps(6);
    await pushManyToPrimary(
      primary(),
      apps.map((a) => input(a, 1)),
    );
    const c = euClient(apps);
    await Promise.all(apps.map((a) => c.ready(a)));
    await waitFor(() => c.status().connected, 5_000, 'subscribed');
    const changes: ConfigChange[] = [];
    c.onChange((change) => changes.push(change));
    await Promise.all(apps.map((a) => pushToPrimary(primary(), input(a, 2))));
    await waitFor(() => changes.length === apps.length, 3_000, 'every app changed');
    expect(changes.every((ch) => ch.source === 'message' && ch.current?.version === 2)).toBe(true);
    expect(c.stats().stampChecks).toBeLessThanOrEqual(2);
  });

  it('reads again when a message comes before the data it announces (the bus can outrun replication)', async () => {
    const [app] = newApps(1);
    await pushToPrimary(primary(), input(app!, 1));
    const c = euClient([app!]);
    await c.ready(app!);
    await waitFor(() => c.status().connected, 5_000, 'subscribed');
    const changes: ConfigChange[] = [];
    c.onChange((change) => changes.push(change));
    const next = input(app!, 2);
    const message: UpdateMessage = {
      appId: app!,
      version: 2,
      checksum: next.checksum,
      committedAt: next.committedAt.getTime(),
    };
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
    await waitFor(() => changes.length > 0, 2_000, 'the announced version');
    expect(changes[0]).toMatchObject({ source: 'message', current: { version: 2 } });
  });

  it('reports to the cluster’s masters, as the reporter user', async () => {
    const apps = newApps(4);
    await pushManyToPrimary(
      primary(),
      apps.map((a) => input(a, 5)),
    );
    const c = euClient(apps, true);
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
    const reader = clusterAs('reader', cluster.nodes[0]!);
    try {
      await expect(reader.hset(configKey('clc-nope'), 'version', '1')).rejects.toThrow(/NOPERM/);
    } finally {
      reader.disconnect();
    }
  });
});
