/**
 * Tells Propagate which version this instance holds, by writing to the primary Redis
 * (lib/contract/report-layout.ts). Best effort by design: a report that fails is counted and announced once
 * per outage, and never touches what the service serves.
 */
import { batch, type Call } from '../contract/redis-batch';
import { connectCommands } from './command-connection';
import { ConfigClientError } from './errors';
import type { RedisConnection } from './types';
import {
  instanceReportKey,
  instancesIndexKey,
  type InstanceReport,
} from '../contract/report-layout';

export interface ReporterOptions {
  redisUrl: string;
  connection?: RedisConnection;
  /** The primary is a Redis Cluster: `redisUrl` is a seed, each report goes to its slot's master. */
  cluster?: boolean;
  instanceId: string;
  intervalMs: number;
  retentionMs: number;
  timeoutMs: number;
  /** The reports to send now: one per app that holds a verified config. */
  snapshot: () => InstanceReport[];
  onError: (error: ConfigClientError) => void;
}

export interface ReporterStats {
  reportsSent: number;
  reportFailures: number;
  lastReportedAt: number | null;
}

export interface Reporter {
  /** Send soon (coalesced): after a swap, so the dashboard sees the new version at once. */
  reportSoon(): void;
  stats(): ReporterStats;
  /** Removes this instance's reports (a clean shutdown is not "stopped reporting"), then disconnects. */
  close(): Promise<void>;
}

export function createReporter(options: ReporterOptions): Reporter {
  // A report that cannot be sent now is replaced by the next one: never queue them.
  const redis = connectCommands({
    cluster: options.cluster === true,
    urls: [options.redisUrl],
    readFrom: 'masters',
    connection: options.connection,
    connectionName: `propagate-config-report:${options.instanceId}`,
    timeoutMs: options.timeoutMs,
    retryStrategy: (attempt) => Math.min(250 * 2 ** attempt, 5_000),
  });
  const stats: ReporterStats = { reportsSent: 0, reportFailures: 0, lastReportedAt: null };
  let closed = false;
  let failing = false;
  let sending = false;
  let again = false;
  let soon: NodeJS.Immediate | undefined;

  redis.on('error', () => {
    // Connection errors show up as failed reports; the emitter must not crash the service.
  });

  async function send(): Promise<void> {
    if (closed) return;
    if (sending) {
      again = true;
      return;
    }
    sending = true;
    try {
      do {
        again = false;
        await sendOnce();
      } while (again && !closed);
    } finally {
      sending = false;
    }
  }

  async function sendOnce(): Promise<void> {
    const reports = options.snapshot();
    if (reports.length === 0 || redis.status !== 'ready') return;
    const now = Date.now();
    const calls = reports.flatMap((report): Call[] => {
      const index = instancesIndexKey(report.appId);
      return [
        [
          'set',
          instanceReportKey(report.appId, report.instanceId),
          JSON.stringify(report),
          'PX',
          options.retentionMs,
        ],
        ['zadd', index, report.reportedAt, report.instanceId],
        ['zremrangebyscore', index, '-inf', `(${now - options.retentionMs}`],
        ['pexpire', index, options.retentionMs],
      ];
    });
    try {
      const results = await batch(redis, calls);
      const failed = results.find(([error]) => error);
      if (failed?.[0]) throw failed[0];
      stats.reportsSent += reports.length;
      stats.lastReportedAt = now;
      failing = false;
    } catch (error) {
      stats.reportFailures += 1;
      if (!failing && !closed) {
        failing = true;
        options.onError(
          new ConfigClientError(
            'report-failed',
            `Could not report held versions to the primary: ${String(error)}`,
            {
              cause: error,
            },
          ),
        );
      }
    }
  }

  const timer = setInterval(() => void send(), options.intervalMs);
  timer.unref();
  redis.on('ready', () => void send());

  return {
    reportSoon() {
      if (closed || soon) return;
      soon = setImmediate(() => {
        soon = undefined;
        void send();
      });
    },
    stats: () => ({ ...stats }),
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      if (soon) clearImmediate(soon);
      if (redis.status === 'ready') {
        const calls: Call[] = [];
        for (const report of options.snapshot()) {
          calls.push(['zrem', instancesIndexKey(report.appId), report.instanceId]);
          calls.push(['del', instanceReportKey(report.appId, report.instanceId)]);
        }
        await batch(redis, calls).catch(() => undefined);
        await redis.quit().catch(() => redis.disconnect());
      } else {
        redis.disconnect();
      }
    },
  };
}
