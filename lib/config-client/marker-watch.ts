/**
 * Watches the active-deployment marker in every deployment a following client knows: a pub/sub
 * fast path on each, and a periodic read of all of them, which also says whether each answers.
 * Like the rest of the config client: free of Next.js, server-only and lib/env.
 */
import { type Cluster, Redis } from 'ioredis';
import { connectCommands } from './command-connection';
import type { RedisConnection } from './types';
import {
  ACTIVE_DEPLOYMENT_KEY,
  DEPLOYMENT_CHANNEL,
  parseMarker,
  parseMarkerMessage,
  type DeploymentMarker,
} from '../contract/deployment-marker';

export interface MarkerWatch {
  /** Whether each watched deployment answered its last read. */
  reaches: Record<string, boolean>;
  /** Stops watching one deployment and closes its connections. */
  drop(name: string): Promise<void>;
  close(): Promise<void>;
}

export function watchMarkers({
  deployments,
  connection,
  instanceId,
  timeoutMs,
  intervalMs,
  onMarkers,
}: {
  /** Each deployment's endpoint in this region (`cluster.nodes`: the region's other nodes). */
  deployments: { name: string; redisUrl: string; cluster?: { nodes: string[] } }[];
  /** The reader user and TLS settings, the same in every deployment. */
  connection?: RedisConnection;
  instanceId: string;
  timeoutMs: number;
  intervalMs: number;
  /** Every marker seen (null where a deployment has none or did not answer). */
  onMarkers: (seen: (DeploymentMarker | null)[]) => void;
}): MarkerWatch {
  let closed = false;
  const reaches: Record<string, boolean> = Object.fromEntries(
    deployments.map((d) => [d.name, false]),
  );
  const retryStrategy = (attempt: number) => Math.min(100 * 2 ** attempt, 2_000);
  let connections = deployments.map((d) => {
    // On a cluster the marker is read from the region's node for its slot, like any key; the
    // subscriber stays on one node, which hears every PUBLISH (the cluster bus broadcasts it).
    const commands = connectCommands({
      cluster: Boolean(d.cluster),
      urls: [d.redisUrl, ...(d.cluster?.nodes ?? [])],
      readFrom: 'region',
      connection,
      connectionName: `propagate-marker:${instanceId}`,
      timeoutMs,
      retryStrategy,
    });
    const subscriber = new Redis(d.redisUrl, {
      ...connection,
      connectionName: `propagate-marker-sub:${instanceId}`,
      connectTimeout: timeoutMs,
      retryStrategy,
    });
    commands.on('error', () => undefined);
    subscriber.on('error', () => undefined);
    subscriber.on('ready', () => {
      subscriber.subscribe(DEPLOYMENT_CHANNEL).then(
        () => void check(),
        () => undefined,
      );
    });
    subscriber.on('message', (channel: string, raw: string) => {
      if (channel === DEPLOYMENT_CHANNEL && !closed) onMarkers([parseMarkerMessage(raw)]);
    });
    return { name: d.name, commands, subscriber };
  });
  type Connection = (typeof connections)[number];

  async function read(conn: Connection): Promise<DeploymentMarker | null> {
    try {
      const fields = await conn.commands.hmget(
        ACTIVE_DEPLOYMENT_KEY,
        'deployment',
        'epoch',
        'live',
      );
      if (conn.name in reaches) reaches[conn.name] = true;
      return parseMarker(fields);
    } catch {
      if (conn.name in reaches) reaches[conn.name] = false;
      return null;
    }
  }

  async function check(): Promise<void> {
    if (closed) return;
    const seen = await Promise.all(connections.map(read));
    if (!closed) onMarkers(seen);
  }

  // A connection that is not ready is cut: a QUIT would wait for a cluster that may never answer.
  const end = async (redis: Redis | Cluster) => {
    if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
    else redis.disconnect();
  };
  const quit = ({ commands, subscriber }: Connection) =>
    Promise.all([end(commands), end(subscriber)]);

  const timer = setInterval(() => void check(), intervalMs);
  timer.unref();
  void check();

  return {
    reaches,
    async drop(name) {
      const dropped = connections.filter((c) => c.name === name);
      connections = connections.filter((c) => c.name !== name);
      delete reaches[name];
      await Promise.all(dropped.map(quit));
    },
    async close() {
      closed = true;
      clearInterval(timer);
      await Promise.all(connections.map(quit));
    },
  };
}
