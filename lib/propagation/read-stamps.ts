import 'server-only';
import type { Redis } from 'ioredis';
import { configKey, parseStamp, STAMP_FIELDS, type Stamp } from '@/lib/contract/cache-layout';
import { env } from '@/lib/env';
import { bulkRedisFor, redisFor } from '@/lib/redis/clients';
import { listRegions, type Region } from '@/lib/regions';
import { regionErrorText } from '@/lib/propagation/region-error';
import { parseReplicationInfo } from '@/lib/contract/parse-replication';
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
  opts: { timeoutMs?: number; markerRegions?: readonly string[]; redis?: Redis } = {},
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
  const pipeline = redis.pipeline();
  for (const appId of appIds) pipeline.hmget(configKey(appId), ...STAMP_FIELDS);
  pipeline.info('replication');
  if (markers.length > 0) pipeline.mget(...markers.map(regionDownKey));
  const started = performance.now();
  try {
    const replies = await withTimeout(pipeline.exec(), timeoutMs, region.name);
    const roundTripMs = performance.now() - started;
    if (!replies) return unreachable('empty reply');
    const failed = replies.find(([error]) => error);
    if (failed?.[0]) return unreachable(errorText(region, failed[0]));
    const stamps = appIds.map((_, i) =>
      parseStamp((replies[i]?.[1] as (string | null)[] | undefined) ?? []),
    );
    const infoReply = replies[appIds.length]?.[1];
    const info = parseReplicationInfo(typeof infoReply === 'string' ? infoReply : '');
    const markerValues = (replies[appIds.length + 1]?.[1] as (string | null)[] | undefined) ?? [];
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
