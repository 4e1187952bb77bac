import 'server-only';
import { once } from 'node:events';
import { Cluster, type Redis } from 'ioredis';
import { configKey, parseStamp, STAMP_FIELDS, type Stamp } from '@/lib/contract/cache-layout';
import { env } from '@/lib/env';
import { bulkRedisFor, redisFor, type RedisClient } from '@/lib/redis/clients';
import { listRegions, type Region } from '@/lib/regions';
import { regionErrorText } from '@/lib/propagation/region-error';
import { parseReplicationInfo, type ReplicationInfo } from '@/lib/contract/parse-replication';
import { nodeKey, uncoveredSlots } from '@/lib/contract/cluster-routing';
import { batch, type Call } from '@/lib/contract/redis-batch';
import { withTimeout } from '@/lib/timing';
import { log } from '@/lib/log';

/**
 * Reading version stamps: per region ONE pipelined round trip (an HMGET per app plus
 * INFO replication), all regions in parallel, so the cost does not grow with the number of apps
 * in round trips. Never throws: a region that does not answer is reported as such.
 *
 * "Unreachable since" must survive across requests without per-app state in the Next server, and
 * must agree between server processes and the worker. It is kept on the primary as
 * `propagate:region-down:{region}` = first failure (ms), SET NX by whoever sees the failure first
 * and deleted by whoever sees the region answer again. Reading the markers is one MGET inside the
 * primary's pipeline, so it costs no extra round trip. These keys are internal bookkeeping, not
 * part of the cache contract (services never read them). The primary cannot hold its own marker
 * while it is down; its "since" comes from the replicas, which report how long their link to it
 * has been down.
 */

export const REGION_DOWN_PREFIX = 'propagate:region-down:';

const PER_APP_ALLOWANCE_MS = 0.5;
const BULK_READ_THRESHOLD = 500;

const regionDownKey = (region: string) => `${REGION_DOWN_PREFIX}${region}`;

export interface RegionRead {
  region: Region;
  reachable: boolean;
  /** Aligned with the appIds that were asked for; empty when unreachable. */
  stamps: (Stamp | null)[];
  /** Replicas: the replication link as the replica sees it. Primary: null. */
  linkUp: boolean | null;
  linkDownForMs: number | null;
  /** Primary: how many replicas are attached (INFO replication); null otherwise. */
  connectedReplicas: number | null;
  roundTripMs: number | null;
  error: string | null;
  /** When the region was first seen not answering (ms), when known. */
  unreachableSince: number | null;
}

interface RawRead extends Omit<RegionRead, 'unreachableSince'> {
  /** Primary only: the region-down markers, by region name. */
  downMarkers: Map<string, number>;
}

/** Status shows a category; the driver's message (host, port) goes to the log, once per change. */
const loggedDetail = new Map<string, string>();
function errorText(region: Region, error: unknown): string {
  const detail = error instanceof Error ? error.message : String(error);
  if (loggedDetail.get(region.name) !== detail) {
    loggedDetail.set(region.name, detail);
    log.warn({ region: region.name, role: region.role, error: detail }, 'region did not answer');
  }
  return regionErrorText(error);
}

/** One region, one round trip. `markerRegions` asks the primary for those regions' down markers. */
export async function readRegion(
  region: Region,
  appIds: readonly string[],
  opts: { timeoutMs?: number; markerRegions?: readonly string[]; redis?: RedisClient } = {},
): Promise<RawRead> {
  // A fleet read carries thousands of HMGETs: the region's answer takes longer to transfer and
  // parse without the region being any less healthy, so the allowance grows with the batch.
  const timeoutMs =
    (opts.timeoutMs ?? env.REGION_TIMEOUT_MS) + appIds.length * PER_APP_ALLOWANCE_MS;
  const redis =
    opts.redis ?? (appIds.length > BULK_READ_THRESHOLD ? bulkRedisFor(region) : redisFor(region));
  const unreachable = (error: string): RawRead => ({
    region,
    reachable: false,
    stamps: [],
    linkUp: null,
    linkDownForMs: null,
    connectedReplicas: null,
    roundTripMs: null,
    error,
    downMarkers: new Map(),
  });
  // A client that is between reconnect attempts would only queue the pipeline until the timeout.
  if (redis.status === 'reconnecting' || redis.status === 'end' || redis.status === 'close') {
    return unreachable('not connected');
  }
  const markers = opts.markerRegions ?? [];
  const started = performance.now();
  try {
    const read = await withTimeout(
      redis instanceof Cluster
        ? fetchFromCluster(region, redis, appIds, markers)
        : fetchFromOne(redis, appIds, markers),
      timeoutMs,
      region.name,
    );
    const roundTripMs = performance.now() - started;
    if ('error' in read) return unreachable(errorText(region, read.error));
    const { stampReplies, info, markerValues } = read;
    const stamps = appIds.map((_, i) => parseStamp((stampReplies[i] as (string | null)[]) ?? []));
    const downMarkers = new Map<string, number>();
    markers.forEach((name, i) => {
      const value = Number(markerValues[i]);
      if (markerValues[i] != null && Number.isFinite(value)) downMarkers.set(name, value);
    });
    return {
      region,
      reachable: true,
      stamps,
      linkUp: region.role === 'replica' ? info.linkUp : null,
      linkDownForMs: info.linkDownSinceSeconds != null ? info.linkDownSinceSeconds * 1_000 : null,
      connectedReplicas: region.role === 'primary' ? info.connectedReplicas : null,
      roundTripMs,
      error: null,
      downMarkers,
    };
  } catch (error) {
    return unreachable(errorText(region, error));
  }
}

type Fetched =
  | { stampReplies: unknown[]; info: ReplicationInfo; markerValues: (string | null)[] }
  | { error: Error };

/** One Redis: HMGET per app, INFO replication and the markers' MGET in one pipeline. */
async function fetchFromOne(
  redis: Redis,
  appIds: readonly string[],
  markers: readonly string[],
): Promise<Fetched> {
  const pipeline = redis.pipeline();
  for (const appId of appIds) pipeline.hmget(configKey(appId), ...STAMP_FIELDS);
  pipeline.info('replication');
  if (markers.length > 0) pipeline.mget(...markers.map(regionDownKey));
  const replies = await pipeline.exec();
  if (!replies) return { error: new Error('empty reply') };
  const failed = replies.find(([error]) => error);
  if (failed?.[0]) return { error: failed[0] };
  const infoReply = replies[appIds.length]?.[1];
  return {
    stampReplies: replies.slice(0, appIds.length).map(([, reply]) => reply),
    info: parseReplicationInfo(typeof infoReply === 'string' ? infoReply : ''),
    markerValues: (replies[appIds.length + 1]?.[1] as (string | null)[] | undefined) ?? [],
  };
}

/**
 * A region of a cluster: the HMGETs go to the region's node for each key's slot (one batch per
 * node), the markers (keys on any slot) likewise, and INFO replication to each of the region's
 * nodes: the region's link is up only when every shard's is, and the primary counts the replicas
 * of its least served shard. A region with no node for some slots is not read at all: its
 * client would fall back to the master elsewhere and report another region's data as its own.
 */
async function fetchFromCluster(
  region: Region,
  redis: Cluster,
  appIds: readonly string[],
  markers: readonly string[],
): Promise<Fetched> {
  // A client made a moment ago is still learning the slots: wait for that, within the read.
  if (redis.status !== 'ready') {
    try {
      await once(redis, 'ready', { signal: AbortSignal.timeout(env.REGION_TIMEOUT_MS) });
    } catch {
      return { error: new Error('not connected: the cluster did not get ready in time') };
    }
  }
  const urls = [region.url, ...(region.nodes ?? [])];
  if (region.role === 'replica') {
    const missing = uncoveredSlots(redis.slots, urls);
    if (missing > 0) {
      // The region's nodes may be back since the table was read: re-read it now, so the next
      // status read finds them without waiting for the periodic refresh.
      redis.refreshSlotsCache();
      return { error: new Error(`no node of this region serves ${missing} slots`) };
    }
  }
  const keys = new Set(urls.map(nodeKey));
  const nodes =
    region.role === 'primary'
      ? redis.nodes('master')
      : redis.nodes('all').filter((n) => keys.has(`${n.options.host}:${n.options.port}`));
  const [replies, infos] = await Promise.all([
    batch(redis, [
      ...appIds.map((appId): Call => ['hmget', configKey(appId), ...STAMP_FIELDS]),
      ...markers.map((name): Call => ['get', regionDownKey(name)]),
    ]),
    Promise.all(nodes.map((node) => node.info('replication'))),
  ]);
  const failed = replies.find(([error]) => error);
  if (failed?.[0]) return { error: failed[0] };
  const each = infos.map(parseReplicationInfo);
  const counts = each.flatMap((i) => (i.connectedReplicas != null ? [i.connectedReplicas] : []));
  const downFor = each.flatMap((i) =>
    i.linkDownSinceSeconds != null ? [i.linkDownSinceSeconds] : [],
  );
  return {
    stampReplies: replies.slice(0, appIds.length).map(([, reply]) => reply),
    info: {
      role: each[0]?.role ?? 'unknown',
      linkUp: each.some((i) => i.linkUp === null) ? null : each.every((i) => i.linkUp),
      linkDownSinceSeconds: downFor.length > 0 ? Math.max(...downFor) : null,
      connectedReplicas: counts.length > 0 ? Math.min(...counts) : null,
    },
    markerValues: replies.slice(appIds.length).map(([, reply]) => reply as string | null),
  };
}

/** Keeps the primary's down markers in step with what this read saw. Best effort, never throws. */
async function updateMarkers(primary: RawRead, replicas: RawRead[], now: number): Promise<void> {
  if (!primary.reachable) return;
  const redis = redisFor(primary.region);
  const writes: Promise<unknown>[] = [];
  for (const r of replicas) {
    const marked = primary.downMarkers.has(r.region.name);
    if (!r.reachable && !marked)
      writes.push(redis.set(regionDownKey(r.region.name), String(now), 'NX'));
    if (r.reachable && marked) writes.push(redis.del(regionDownKey(r.region.name)));
  }
  await Promise.allSettled(writes);
}

/**
 * The primary's "since": the replicas that still answer say how long their link to it is down.
 * The shortest such time is the safest (a replica may have been cut off on its own before).
 */
function primaryDownSince(replicas: RawRead[], now: number): number | null {
  const downFor = replicas.flatMap((r) =>
    r.reachable && r.linkUp === false && r.linkDownForMs != null ? [r.linkDownForMs] : [],
  );
  return downFor.length > 0 ? now - Math.min(...downFor) : null;
}

export interface StampsRead {
  regions: RegionRead[];
  /** When the reads were issued (ms). */
  readAt: number;
}

/** Every region's stamps for these apps, in parallel; primary first, as listRegions orders them. */
export async function readAllRegions(
  appIds: readonly string[],
  opts: { timeoutMs?: number; regions?: readonly Region[] } = {},
): Promise<StampsRead> {
  const regions = opts.regions ?? listRegions();
  const readAt = Date.now();
  const replicaNames = regions.filter((r) => r.role === 'replica').map((r) => r.name);
  const raw = await Promise.all(
    regions.map((region) =>
      readRegion(region, appIds, {
        timeoutMs: opts.timeoutMs,
        markerRegions: region.role === 'primary' ? replicaNames : [],
      }),
    ),
  );
  const primary = raw.find((r) => r.region.role === 'primary');
  const replicas = raw.filter((r) => r.region.role === 'replica');
  if (primary) await updateMarkers(primary, replicas, readAt);
  return {
    readAt,
    regions: raw.map(({ downMarkers: _markers, ...read }) => ({
      ...read,
      unreachableSince: read.reachable
        ? null
        : read.region.role === 'primary'
          ? primaryDownSince(replicas, readAt)
          : (primary?.downMarkers.get(read.region.name) ?? (primary?.reachable ? readAt : null)),
    })),
  };
}
