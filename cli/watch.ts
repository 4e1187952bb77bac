import { appInstancesSchema, appPropagationSchema } from '../lib/schemas/api';
import type { z } from 'zod';
import type { ApiClient } from './client';

export type AppPropagation = z.output<typeof appPropagationSchema>;
export type AppInstances = z.output<typeof appInstancesSchema>;

/** One look at where a version has reached: every region, and the servers when asked. */
export interface Snapshot {
  status: AppPropagation;
  instances: AppInstances | null;
  /** Regions that serve the version (or a newer one). */
  regionsDone: Set<string>;
  /** Live servers (instance ids) that applied it, and those that have not yet. */
  serversDone: Set<string>;
  serversWaiting: Set<string>;
  converged: boolean;
}

export function snapshotOf(
  version: number,
  status: AppPropagation,
  instances: AppInstances | null,
): Snapshot {
  const regionsDone = new Set(
    status.regions.filter((r) => (r.stamp?.version ?? 0) >= version).map((r) => r.name),
  );
  const serversDone = new Set<string>();
  const serversWaiting = new Set<string>();
  for (const region of instances?.regions ?? []) {
    for (const instance of region.instances) {
      // A stopped server is not waited for: it reads the newest version when it starts again.
      if (instance.state === 'stopped') continue;
      const key = `${region.region}/${instance.instanceId}`;
      (instance.version >= version ? serversDone : serversWaiting).add(key);
    }
  }
  const regionsConverged = status.regions.length > 0 && regionsDone.size === status.regions.length;
  return {
    status,
    instances,
    regionsDone,
    serversDone,
    serversWaiting,
    converged: regionsConverged && serversWaiting.size === 0,
  };
}

/**
 * Follows an app until every region (and with `servers`, every live server) holds `version`, or
 * until `timeoutMs`. Each look is handed to `onSnapshot` so the caller can show arrivals as they
 * happen. This is the one place that knows how the CLI watches: it reads the status endpoints
 * every `intervalMs` (one request each, answered from the server's view of every region).
 */
export async function watchVersion(
  client: ApiClient,
  appId: string,
  version: number,
  opts: {
    timeoutMs: number;
    servers: boolean;
    intervalMs?: number;
    onSnapshot: (snapshot: Snapshot) => void;
  },
): Promise<Snapshot> {
  const deadline = Date.now() + opts.timeoutMs;
  const intervalMs = opts.intervalMs ?? 200;
  const path = `/api/apps/${encodeURIComponent(appId)}`;
  for (;;) {
    const [status, instances] = await Promise.all([
      client.request(appPropagationSchema, `${path}/propagation`),
      opts.servers ? client.request(appInstancesSchema, `${path}/instances`) : null,
    ]);
    const snapshot = snapshotOf(version, status.data, instances?.data ?? null);
    opts.onSnapshot(snapshot);
    const left = deadline - Date.now();
    if (snapshot.converged || left <= 0) return snapshot;
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, left)));
  }
}
