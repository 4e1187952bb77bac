/**
 * A config client that follows the cache's active deployment (the marker documented in
 * lib/contract/deployment-marker.ts): it holds one plain config client per deployment it is given (its
 * region's endpoint in each), serves from the one the highest-epoch marker names, and switches
 * without a restart. Before switching it loads every held app from the new source; it then swaps
 * in only versions at least as new as those it holds, so no reader ever sees an older version.
 *
 * Like config-client.ts: free of Next.js, server-only and lib/env.
 */
import { newestMarker, type DeploymentMarker } from '../contract/deployment-marker';
import { createConfigClient, defaultInstanceId } from './config-client';
import { AppArchivedError, type ConfigClientError, ConfigNotReadyError } from './errors';
import { DEFAULT_REPORT_RETENTION_MS, type InstanceReport } from '../contract/report-layout';
import { createDeploymentReports, type DeploymentReports } from './deployment-reports';
import { watchMarkers } from './marker-watch';
import type {
  ArchivedApp,
  ConfigChange,
  ConfigClient,
  ConfigClientOptions,
  ConfigEntry,
  RedisConnection,
} from './types';

export interface DeploymentEndpoint {
  name: string;
  /** This region's endpoint in the deployment (a replica, or the primary where it has none here). */
  redisUrl: string;
  /**
   * The deployment is a Redis Cluster: `redisUrl` and these `nodes` are this region's nodes (at
   * least one per shard, by the address the cluster announces), as for the plain client.
   */
  cluster?: { nodes: string[] };
  /**
   * The deployment's primary, where reports go while this deployment is the source (on a
   * cluster: any master, a seed; each report goes to its slot's master).
   */
  reportUrl?: string;
}

export interface FollowingClientOptions<T> extends Omit<
  ConfigClientOptions<T>,
  'redisUrl' | 'cluster' | 'report'
> {
  /** The first is the home deployment: the one served while no marker says otherwise. */
  deployments: DeploymentEndpoint[];
  /** How often every deployment's marker is read (besides its pub/sub channel). */
  markerCheckIntervalMs?: number;
  /** How long loading the held apps from a new source may take before the switch is retried. */
  switchTimeoutMs?: number;
  /** `connection`: the reporter user, the same in every deployment. */
  report?: { intervalMs?: number; retentionMs?: number; connection?: RedisConnection };
}

export interface FollowingStatus {
  /** The deployment this client serves from. */
  deployment: string;
  /** The marker it follows (it may still be loading from the deployment it names). */
  following: DeploymentMarker;
  /** Whether its endpoint in each deployment answers (retired ones are no longer asked). */
  reaches: Record<string, boolean>;
  switches: number;
  /** Deployments a finished migration retired: this client closed its connections to them. */
  retired: string[];
}

export interface FollowingConfigClient<T> extends ConfigClient<T> {
  source(): FollowingStatus;
}

export function createFollowingConfigClient<T = unknown>(
  options: FollowingClientOptions<T>,
): FollowingConfigClient<T> {
  const [home] = options.deployments;
  if (!home) throw new TypeError('deployments must list at least one deployment');
  if (new Set(options.deployments.map((d) => d.name)).size !== options.deployments.length)
    throw new TypeError('deployment names must be distinct');
  const instanceId = options.instanceId ?? defaultInstanceId();
  const logger = options.logger ?? { info: () => undefined, warn: () => undefined };
  const markerCheckIntervalMs = options.markerCheckIntervalMs ?? 1_000;
  const switchTimeoutMs = options.switchTimeoutMs ?? 10_000;
  const timeoutMs = options.timeoutMs ?? 1_000;
  const apps = new Set(options.apps ?? []);

  // One plain client per deployment, each loading and following the same apps on its own.
  const sources = new Map<string, ConfigClient<T>>(
    options.deployments.map((d) => [
      d.name,
      createConfigClient<T>({
        ...options,
        redisUrl: d.redisUrl,
        ...(d.cluster && { cluster: d.cluster }),
        apps: [...apps],
        instanceId: `${instanceId}.${d.name}`,
        report: undefined,
      }),
    ]),
  );
  const sourceOf = (name: string): ConfigClient<T> => {
    const client = sources.get(name);
    if (!client) throw new Error(`unknown deployment ${name}`);
    return client;
  };

  /** What is served per app: a config, or the tombstone of an archived app. */
  const held = new Map<string, { entry: ConfigEntry<T> | null; archived: ArchivedApp | null }>();
  const versionOf = (h: { entry: ConfigEntry<T> | null; archived: ArchivedApp | null }) =>
    h.entry?.version ?? h.archived?.version ?? 0;
  const checksumOf = (h: { entry: ConfigEntry<T> | null; archived: ArchivedApp | null }) =>
    h.entry?.checksum ?? h.archived?.checksum ?? '';
  const changeListeners = new Set<(change: ConfigChange<T>) => void>();
  const errorListeners = new Set<(error: ConfigClientError) => void>();
  let serving = home.name;
  let following: DeploymentMarker = { deployment: home.name, epoch: 0 };
  let switching: Promise<void> | null = null;
  let switches = 0;
  let closed = false;
  const retired = new Set<string>();

  /**
   * Serve what a source holds for an app (a config or a tombstone) if it is newer than what is
   * held; the same version is adopted silently, an older one never.
   */
  function offer(
    appId: string,
    next: { entry: ConfigEntry<T> | null; archived: ArchivedApp | null },
    source: ConfigChange<T>['source'],
  ): void {
    if (!next.entry && !next.archived) return;
    const current = held.get(appId);
    if (current && versionOf(next) < versionOf(current)) return;
    if (current && versionOf(next) === versionOf(current)) {
      if (checksumOf(next) === checksumOf(current)) held.set(appId, next);
      return;
    }
    held.set(appId, next);
    for (const listener of changeListeners) {
      try {
        listener({
          appId,
          previous: current?.entry ?? null,
          current: next.entry,
          archived: next.archived,
          source,
        });
      } catch (error) {
        logger.warn(`[config-client] onChange listener threw: ${String(error)}`);
      }
    }
    reports?.reportSoon(serving);
  }

  const servedBy = (client: ConfigClient<T>, appId: string) => ({
    entry: client.peek(appId),
    archived: client.archived(appId),
  });

  for (const [name, client] of sources) {
    client.onChange((change) => {
      if (name === serving && !closed)
        offer(change.appId, { entry: change.current, archived: change.archived }, change.source);
    });
    client.onError((error) => {
      if (name !== serving) return; // the other sources' trouble shows in reaches
      for (const listener of errorListeners) {
        try {
          listener(error);
        } catch {
          // A throwing listener must not stop the others.
        }
      }
    });
  }

  /**
   * Loads every held app from `target`, then serves from it. Versions older than those held are
   * not swapped in (the held one keeps serving until the new source catches up).
   */
  async function switchTo(marker: DeploymentMarker): Promise<void> {
    const target = sourceOf(marker.deployment);
    await Promise.all(
      [...apps].map((appId) => target.ready(appId, { timeoutMs: switchTimeoutMs })),
    );
    if (closed || following.epoch !== marker.epoch) return; // overtaken by a newer marker
    serving = marker.deployment;
    switches += 1;
    for (const appId of apps) offer(appId, servedBy(target, appId), 'load');
    logger.info(`[config-client] now reading from ${marker.deployment} (epoch ${marker.epoch})`);
    reports?.reportSoon(serving);
    dropRetired();
    void reports?.sendPresence();
  }

  /**
   * Closes every connection to the deployments the followed marker no longer lists as live (a
   * finished migration retired them), except the one still served from until the switch is done.
   */
  function dropRetired(): void {
    const live = following.live;
    if (!live || closed) return;
    for (const name of [...sources.keys()]) {
      if (live.includes(name) || name === serving) continue;
      const client = sources.get(name);
      sources.delete(name);
      retired.add(name);
      logger.info(
        `[config-client] ${name} is retired (epoch ${following.epoch}): closing its connections`,
      );
      void Promise.all([client?.close(), markers.drop(name), reports?.drop(name)]).then(() =>
        reports?.sendPresence(),
      );
    }
  }

  function follow(seen: (DeploymentMarker | null)[]): void {
    const next = newestMarker(following, seen);
    if (next.epoch === following.epoch) {
      if (serving !== following.deployment && !switching) startSwitch();
      return;
    }
    if (!sources.has(next.deployment)) {
      logger.warn(
        `[config-client] the active deployment is ${next.deployment} (epoch ${next.epoch}), which this client ${retired.has(next.deployment) ? 'retired (a restart connects it again)' : 'has no endpoint for'}; still reading from ${serving}`,
      );
      following = next;
      return;
    }
    following = next;
    startSwitch();
    dropRetired();
  }

  function startSwitch(): void {
    if (switching || closed || !sources.has(following.deployment)) return;
    if (serving === following.deployment) return;
    const marker = following;
    switching = switchTo(marker)
      .catch((error: unknown) => {
        logger.warn(
          `[config-client] could not load every app from ${marker.deployment} yet (${String(error)}); still reading from ${serving}`,
        );
      })
      .finally(() => {
        switching = null;
      });
  }

  const markers = watchMarkers({
    deployments: options.deployments,
    ...(options.connection && { connection: options.connection }),
    instanceId,
    timeoutMs,
    intervalMs: markerCheckIntervalMs,
    onMarkers: follow,
  });
  const reaches = markers.reaches;

  // Reports go to the primary of the deployment served from, with the deployment named.
  const reportIntervalMs = options.report?.intervalMs ?? 5_000;
  function reportsFor(name: string): InstanceReport[] {
    if (name !== serving) return [];
    const now = Date.now();
    const client = sourceOf(serving);
    // A tombstone is reported too, marked gone: the app page shows the server stopped serving.
    return [...held.values()]
      .flatMap(({ entry, archived }) =>
        entry ? [{ holds: entry, gone: false }] : archived ? [{ holds: archived, gone: true }] : [],
      )
      .map(({ holds, gone }) => ({
        instanceId,
        region: options.region,
        appId: holds.appId,
        version: holds.version,
        checksum: holds.checksum,
        appliedAt: holds.appliedAt,
        stalenessMs: client.peek(holds.appId) ? client.staleness(holds.appId) : 0,
        reportedAt: now,
        intervalMs: reportIntervalMs,
        deployment: serving,
        ...(gone ? { archived: true as const } : {}),
      }));
  }
  const reports: DeploymentReports | null = options.report
    ? createDeploymentReports({
        reportUrls: options.deployments,
        ...(options.report.connection && { connection: options.report.connection }),
        instanceId,
        intervalMs: reportIntervalMs,
        retentionMs: options.report.retentionMs ?? DEFAULT_REPORT_RETENTION_MS,
        timeoutMs,
        snapshot: reportsFor,
        // Who this instance is, to every deployment it can report to (gates read the whole fleet).
        presence: () => ({
          instanceId,
          region: options.region,
          deployment: serving,
          epoch: following.epoch,
          reaches: { ...reaches },
          ...(retired.size > 0 && { retired: [...retired] }),
          apps: held.size,
          reportedAt: Date.now(),
          intervalMs: reportIntervalMs,
        }),
        onError: (name, error) => {
          if (name === serving) for (const listener of errorListeners) listener(error);
        },
      })
    : null;

  const current = () => sourceOf(serving);

  return {
    instanceId,
    region: options.region,

    async ready(appId, readyOptions) {
      if (closed) throw new Error('The config client is closed.');
      apps.add(appId);
      // Every source holds the app from now on, so a later switch finds it loaded.
      for (const [name, client] of sources)
        if (name !== serving) void client.ready(appId, readyOptions).catch(() => undefined);
      const entry = await current().ready(appId, readyOptions);
      offer(appId, { entry, archived: null }, 'load');
      return held.get(appId)?.entry ?? entry;
    },

    get(appId) {
      const served = held.get(appId);
      if (served?.entry) return served.entry;
      if (served?.archived) throw new AppArchivedError(appId, served.archived.version);
      throw new ConfigNotReadyError(
        appId,
        apps.has(appId)
          ? `Config for app "${appId}" is not loaded yet.`
          : `App "${appId}" is not held by this client: call await client.ready("${appId}") first.`,
      );
    },
    peek: (appId) => held.get(appId)?.entry ?? null,
    archived: (appId) => held.get(appId)?.archived ?? null,
    heldApps: () => [...apps],
    staleness: (appId) => {
      if (!held.get(appId)?.entry)
        throw new ConfigNotReadyError(appId, `App "${appId}" has no config loaded.`);
      return current().peek(appId) ? current().staleness(appId) : 0;
    },
    status: () => current().status(),
    stats() {
      return {
        ...current().stats(),
        ...(reports?.stats() ?? { reportsSent: 0, reportFailures: 0 }),
      };
    },
    onChange(listener) {
      changeListeners.add(listener);
      return () => changeListeners.delete(listener);
    },
    onError(listener) {
      errorListeners.add(listener);
      return () => errorListeners.delete(listener);
    },
    source: () => ({
      deployment: serving,
      following,
      reaches: { ...reaches },
      switches,
      retired: [...retired],
    }),

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([
        ...[...sources.values()].map((c) => c.close()),
        markers.close(),
        reports?.close(),
      ]);
      await switching;
    },
  };
}
