import type { z } from 'zod';
import { appInstancesSchema, appPropagationSchema } from '../lib/schemas/api';
import { sleep } from '../lib/timing';
import type { ApiClient } from './client';

export type AppPropagation = z.output<typeof appPropagationSchema>;
export type AppInstances = z.output<typeof appInstancesSchema>;

/** One look at where a version has reached: every region, and the servers when asked. */
export interface Snapshot {
  status: AppPropagation;
  instances: AppInstances | null;
  /** Regions that serve the version (or a newer one), by regionKey. */
  regionsDone: Set<string>;
  /** Live servers (region/instance) that applied it, and those that have not yet. */
  serversDone: Set<string>;
  serversWaiting: Set<string>;
  converged: boolean;
}

type RegionOfStatus = AppPropagation['regions'][number];

/** A region's identity: during a migration a region name is listed once per cache deployment. */
export const regionKey = (region: Pick<RegionOfStatus, 'name' | 'deployment'>) =>
  `${region.deployment}/${region.name}`;

export function snapshotOf(
  version: number,
  status: AppPropagation,
  instances: AppInstances | null,
): Snapshot {
  const regionsDone = new Set(
    status.regions.filter((r) => (r.stamp?.version ?? 0) >= version).map(regionKey),
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
 * The app's status as the server pushes it (Server-Sent Events: the whole status first, then on
 * every change). Ends when `signal` aborts; throws if the stream cannot be opened or breaks.
 */
async function followEvents(
  client: ApiClient,
  path: string,
  signal: AbortSignal,
  onStatus: (status: AppPropagation) => void,
): Promise<void> {
  const response = await client.open(`${path}/propagation/events`, signal);
  if (!response.body) throw new Error('the event stream has no body');
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n');
      // Heartbeats are comment lines without data; every event carries the whole status.
      if (data) onStatus(appPropagationSchema.parse(JSON.parse(data)));
    }
  }
  if (!signal.aborted) throw new Error('the event stream ended');
}

/** The same status by asking every `intervalMs`: for servers without the event stream. */
async function pollStatus(
  client: ApiClient,
  path: string,
  signal: AbortSignal,
  intervalMs: number,
  onStatus: (status: AppPropagation) => void,
): Promise<void> {
  while (!signal.aborted) {
    onStatus((await client.request(appPropagationSchema, `${path}/propagation`, { signal })).data);
    await sleep(intervalMs, signal);
  }
}

/**
 * Follows an app until every region (and with `servers`, every live server) holds `version`, or
 * until `timeoutMs`. Each change is handed to `onSnapshot` so the caller can show arrivals as
 * they happen. This is the one place that knows how the CLI watches: region states come pushed
 * over the status event stream (polling the status endpoint if the stream is unavailable);
 * servers, which have no stream, are polled.
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
  const path = `/api/apps/${encodeURIComponent(appId)}`;
  const intervalMs = opts.intervalMs ?? 250;
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), opts.timeoutMs);
  let status: AppPropagation | null = null;
  let instances: AppInstances | null = null;
  let last: Snapshot | null = null;
  // Set from the callbacks below (an object, so the check after them is not narrowed away).
  const outcome: { failure: Error | null } = { failure: null };
  const fail = (error: unknown) => {
    if (stop.signal.aborted) return;
    outcome.failure = error instanceof Error ? error : new Error(String(error));
    stop.abort();
  };
  const update = () => {
    if (!status || (opts.servers && !instances)) return;
    last = snapshotOf(version, status, instances);
    opts.onSnapshot(last);
    if (last.converged) stop.abort();
  };
  const onStatus = (next: AppPropagation) => {
    status = next;
    update();
  };

  // An older server, or the cap on streams reached: ask instead.
  const regions = followEvents(client, path, stop.signal, onStatus).catch(async () => {
    if (stop.signal.aborted) return;
    await pollStatus(client, path, stop.signal, intervalMs, onStatus).catch(fail);
  });
  const servers = opts.servers
    ? (async () => {
        while (!stop.signal.aborted) {
          instances = (
            await client.request(appInstancesSchema, `${path}/instances`, { signal: stop.signal })
          ).data;
          update();
          await sleep(intervalMs * 2, stop.signal);
        }
      })().catch(fail)
    : Promise.resolve();

  await Promise.all([regions, servers]);
  clearTimeout(timer);
  if (outcome.failure) throw outcome.failure;
  if (!last) {
    // Timed out before the first answer: one plain read says where things stand.
    const [s, i] = await Promise.all([
      client.request(appPropagationSchema, `${path}/propagation`),
      opts.servers ? client.request(appInstancesSchema, `${path}/instances`) : null,
    ]);
    last = snapshotOf(version, s.data, i?.data ?? null);
  }
  return last;
}
