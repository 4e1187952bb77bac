import 'server-only';
import { closeLag, openLags, recordEvent } from '@/lib/db/webhook-events';
import { env } from '@/lib/env';
import { log } from '@/lib/log';
import { readInstanceReports } from '@/lib/instances/read-reports';
import { summarizeInstances } from '@/lib/instances/summarize';
import { behindSince } from '@/lib/model/region-states';
import type { AppEntry } from '@/lib/propagation/observer/app-entry';
import type { StatusObserver } from '@/lib/propagation/observer/observer';
import { primaryRedis } from '@/lib/redis/clients';

export interface ServersOnVersion {
  live: number;
  onVersion: number;
}

export interface DetectorOptions {
  observer: StatusObserver;
  lagBudgetMs?: number;
  /** Convergence is announced for heads committed this recently (not for history at start). */
  windowMs?: number;
  /** How often apps behind, or waiting for their servers, are looked at again. */
  recheckMs?: number;
  readServers?: (
    appId: string,
    head: { version: number; checksum: string },
  ) => Promise<ServersOnVersion>;
  log?: (line: string) => void;
}

/** Live servers of the app and how many hold exactly the head (reports on the primary). */
export async function serversOnHead(
  appId: string,
  head: { version: number; checksum: string },
): Promise<ServersOnVersion> {
  const reports = await readInstanceReports(primaryRedis(), appId);
  const regions = summarizeInstances({
    head: { ...head, committedAt: 0 },
    reports,
    committedAt: new Map(),
    regions: [],
    now: Date.now(),
  });
  return {
    live: regions.reduce((n, r) => n + r.live, 0),
    onVersion: regions.reduce((n, r) => n + r.onHead, 0),
  };
}

/** Every line the detector writes is a failure it retries; the worker passes its own log. */
const eventsLog = log.child({ component: 'events' });

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Turns what the status observer sees into events: `config.converged` once per version (every
 * region in sync and every reporting server on it), `region.lagging` when a replica has not had
 * the head within the lag budget, and `region.recovered` when it has it again. Event ids derive
 * from app, version and region, and a lag is closed by a conditional update, so several workers
 * watching side by side produce each event once.
 */
export class EventDetector {
  private readonly opts: Required<Omit<DetectorOptions, 'observer'>>;
  private readonly observer: StatusObserver;
  /** `appId|region` → the open lag's event. */
  private lags = new Map<string, { id: string; since: Date }>();
  /** The version each app was last announced converged at. */
  private readonly converged = new Map<string, number>();
  /** Apps to look at again: behind, or in sync but waiting for their servers. */
  private readonly watching = new Map<string, AppEntry>();
  /** The observer keeps each entry current in place, so holding it is holding the app's state. */
  private readonly queue = new Map<string, AppEntry>();
  private stopWatching = () => {};
  private timer: NodeJS.Timeout | null = null;
  private busy: Promise<void> | null = null;
  private stopped = false;

  constructor(options: DetectorOptions) {
    this.observer = options.observer;
    this.opts = {
      lagBudgetMs: env.LAG_BUDGET_MS,
      windowMs: 3_600_000,
      recheckMs: 500,
      readServers: serversOnHead,
      log: (line) => eventsLog.warn(line),
      ...options,
    };
  }

  async start(): Promise<this> {
    this.lags = await openLags();
    this.stopWatching = this.observer.watchScope(({ apps }) => {
      for (const entry of apps) this.queue.set(entry.appId, entry);
      this.kick();
    });
    this.timer = setInterval(() => {
      for (const [appId, entry] of this.watching) this.queue.set(appId, entry);
      this.kick();
    }, this.opts.recheckMs);
    this.timer.unref();
    // Once at start: what converged or started lagging while no worker watched (within the window).
    for (const entry of this.observer.entries()) this.queue.set(entry.appId, entry);
    this.kick();
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopWatching();
    if (this.timer) clearInterval(this.timer);
    await this.busy;
  }

  /** Runs the queue; one pass at a time, a pass started meanwhile picks up the rest. */
  private kick(): void {
    if (this.busy || this.stopped) return;
    this.busy = (async () => {
      while (this.queue.size > 0 && !this.stopped) {
        const entries = [...this.queue.values()];
        this.queue.clear();
        for (const entry of entries) {
          try {
            await this.evaluate(entry);
          } catch (error) {
            // Looked at again on the next pass.
            this.watching.set(entry.appId, entry);
            this.opts.log(
              `${entry.appId}: ${error instanceof Error ? error.message : String(error)}`,
            );
          }
        }
      }
    })().finally(() => {
      this.busy = null;
    });
  }

  private async evaluate(entry: AppEntry): Promise<void> {
    const { appId, head } = entry;
    if (!head || !entry.tenantId || entry.states.length === 0) {
      this.watching.delete(appId);
      return;
    }
    const now = Date.now();
    const tenantId = entry.tenantId;
    const versionData = {
      tenantId,
      appId,
      version: head.version,
      committedAt: iso(head.committedAt),
    };
    let behind = false;
    for (const [i, region] of this.observer.regions.entries()) {
      const state = entry.states[i];
      if (state !== 'in_sync') behind = true;
      if (region.role !== 'replica') continue;
      const key = `${appId}|${region.name}`;
      const open = this.lags.get(key);
      const stamp = entry.stamps[i];
      const lagging =
        state === 'lagging' ||
        ((state === 'replication_down' || state === 'unreachable') &&
          head.pushedAt !== null &&
          (stamp?.version ?? 0) < head.version &&
          now - behindSince(head) >= this.opts.lagBudgetMs);
      if (lagging && !open) {
        const { id } = await recordEvent({
          type: 'region.lagging',
          key: `${appId}|${head.version}|${region.name}`,
          tenantId,
          appId,
          region: region.name,
          at: new Date(now),
          data: {
            ...versionData,
            region: region.name,
            state,
            regionVersion: stamp?.version ?? null,
            behindMs: Math.max(0, now - behindSince(head)),
          },
        });
        this.lags.set(key, { id, since: new Date(now) });
      } else if (state === 'in_sync' && open) {
        this.lags.delete(key);
        if (await closeLag(open.id)) {
          await recordEvent({
            type: 'region.recovered',
            key: open.id,
            tenantId,
            appId,
            at: new Date(now),
            data: { ...versionData, region: region.name, laggingSince: open.since.toISOString() },
          });
        }
      }
    }
    if (behind) {
      this.watching.set(appId, entry);
      return;
    }
    if (this.converged.get(appId) === head.version || now - head.committedAt > this.opts.windowMs) {
      this.watching.delete(appId);
      return;
    }
    const servers = await this.opts.readServers(appId, head);
    if (servers.onVersion < servers.live) {
      this.watching.set(appId, entry);
      return;
    }
    await recordEvent({
      type: 'config.converged',
      key: `${appId}|${head.version}`,
      tenantId,
      appId,
      at: new Date(now),
      data: {
        ...versionData,
        convergedAt: iso(now),
        regions: this.observer.regions.map((region, i) => {
          const measured = entry.arrivalsVersion === head.version ? entry.arrivals?.[i] : null;
          // Not recorded yet: when this process heard the region announce it (same clock).
          const heard = entry.touchedAt?.[i];
          const arrivedAt =
            measured?.arrivedAt.getTime() ?? (heard && heard >= head.committedAt ? heard : null);
          return {
            name: region.name,
            arrivedAt: arrivedAt === null ? null : iso(arrivedAt),
            timeToArriveMs:
              measured?.latencyMs ?? (arrivedAt === null ? null : arrivedAt - head.committedAt),
          };
        }),
        servers,
      },
    });
    this.converged.set(appId, head.version);
    this.watching.delete(appId);
  }
}
