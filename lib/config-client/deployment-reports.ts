/**
 * What a deployment-following client tells Propagate, per deployment: the per-app reports (to the
 * deployment it reads from) and one presence entry (to every deployment it can report to), so the
 * migration page can count instances per deployment whichever one it reads. Like the rest of the
 * config client: free of Next.js, server-only and lib/env.
 */
import type { Cluster, Redis } from 'ioredis';
import { batch } from '../contract/redis-batch';
import {
  FLEET_INDEX_KEY,
  presenceKey,
  type InstanceReport,
  type PresenceReport,
} from '../contract/report-layout';
import type { ConfigClientError } from './errors';
import { connectCommands } from './command-connection';
import { createReporter, type Reporter } from './reporter';
import type { RedisConnection } from './types';

export interface DeploymentReportsOptions {
  /**
   * Where each deployment takes reports (its primary; on a cluster any master, a seed: each
   * key goes to its slot's master); deployments without one get none.
   */
  reportUrls: { name: string; reportUrl?: string; cluster?: { nodes: string[] } }[];
  /** The reporter user and TLS settings, the same in every deployment. */
  connection?: RedisConnection;
  instanceId: string;
  intervalMs: number;
  retentionMs: number;
  timeoutMs: number;
  /** The per-app reports for one deployment now (empty unless it is the one read from). */
  snapshot: (deployment: string) => InstanceReport[];
  presence: () => PresenceReport;
  onError: (deployment: string, error: ConfigClientError) => void;
}

export interface DeploymentReports {
  reportSoon(deployment: string): void;
  sendPresence(): Promise<void>;
  stats(): { reportsSent: number; reportFailures: number };
  /** Withdraws this instance from one deployment and closes the connections to it. */
  drop(deployment: string): Promise<void>;
  close(): Promise<void>;
}

export function createDeploymentReports(options: DeploymentReportsOptions): DeploymentReports {
  const { instanceId, retentionMs } = options;
  const reporters = new Map<string, Reporter>();
  const presence = new Map<string, Redis | Cluster>();
  for (const d of options.reportUrls) {
    if (!d.reportUrl) continue;
    reporters.set(
      d.name,
      createReporter({
        redisUrl: d.reportUrl,
        ...(options.connection && { connection: options.connection }),
        ...(d.cluster ? { cluster: true } : {}),
        instanceId,
        intervalMs: options.intervalMs,
        retentionMs,
        timeoutMs: options.timeoutMs,
        snapshot: () => options.snapshot(d.name),
        onError: (error) => options.onError(d.name, error),
      }),
    );
    const redis = connectCommands({
      cluster: Boolean(d.cluster),
      urls: [d.reportUrl],
      readFrom: 'masters',
      connection: options.connection,
      connectionName: `propagate-presence:${instanceId}`,
      timeoutMs: options.timeoutMs,
      retryStrategy: (attempt) => Math.min(250 * 2 ** attempt, 5_000),
    });
    redis.on('error', () => undefined);
    redis.on('ready', () => void sendPresence());
    presence.set(d.name, redis);
  }

  async function sendPresence(): Promise<void> {
    const report = options.presence();
    await Promise.all(
      [...presence.values()].map(async (redis) => {
        if (redis.status !== 'ready') return;
        // Two keys in two slots: one command each (a cluster pipeline must stay in one slot).
        await batch(redis, [
          ['set', presenceKey(instanceId), JSON.stringify(report), 'PX', retentionMs],
          ['zadd', FLEET_INDEX_KEY, report.reportedAt, instanceId],
          ['zremrangebyscore', FLEET_INDEX_KEY, '-inf', `(${report.reportedAt - retentionMs}`],
        ]).catch(() => undefined);
      }),
    );
  }
  const timer = presence.size ? setInterval(() => void sendPresence(), options.intervalMs) : null;
  timer?.unref();

  async function withdraw(redis: Redis | Cluster): Promise<void> {
    if (redis.status !== 'ready') {
      redis.disconnect();
      return;
    }
    await batch(redis, [
      ['del', presenceKey(instanceId)],
      ['zrem', FLEET_INDEX_KEY, instanceId],
    ]).catch(() => undefined);
    await redis.quit().catch(() => redis.disconnect());
  }

  return {
    reportSoon: (deployment) => reporters.get(deployment)?.reportSoon(),
    sendPresence,
    stats() {
      const sent = [...reporters.values()].map((r) => r.stats());
      return {
        reportsSent: sent.reduce((n, s) => n + s.reportsSent, 0),
        reportFailures: sent.reduce((n, s) => n + s.reportFailures, 0),
      };
    },
    async drop(deployment) {
      const reporter = reporters.get(deployment);
      const redis = presence.get(deployment);
      reporters.delete(deployment);
      presence.delete(deployment);
      await Promise.all([reporter?.close(), redis && withdraw(redis)]);
    },
    async close() {
      if (timer) clearInterval(timer);
      await Promise.all([
        ...[...reporters.values()].map((r) => r.close()),
        ...[...presence.values()].map(withdraw),
      ]);
    },
  };
}
