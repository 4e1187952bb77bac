import 'server-only';
import type { AnyBulkWriteOperation, Filter } from 'mongodb';
import { collections, type ArrivalDoc } from '@/lib/db/collections';
import { arrivalKey, type NewArrival } from '@/lib/model/arrival';

/**
 * First arrival wins: `$setOnInsert` under the unique {appId, version, region} index, so a second
 * worker, a replayed message or a poll after the pub/sub message never moves a recorded time.
 */
export async function recordArrivals(arrivals: readonly NewArrival[]): Promise<number> {
  if (arrivals.length === 0) return 0;
  const c = await collections();
  const ops: AnyBulkWriteOperation<ArrivalDoc>[] = arrivals.map((a) => ({
    updateOne: {
      filter: { appId: a.appId, version: a.version, region: a.region },
      update: { $setOnInsert: a },
      upsert: true,
    },
  }));
  try {
    const result = await c.arrivals.bulkWrite(ops, { ordered: false });
    return result.upsertedCount;
  } catch (error) {
    // Two upserts racing on the unique index: one of them lost, which is the outcome we want.
    if ((error as { code?: number }).code === 11000) return 0;
    throw error;
  }
}

/**
 * The newest arrivals of an app, at most `limit` (one per region of the newest version at most):
 * read alongside the head instead of after it, the caller keeps those of the head's version.
 */
export async function latestArrivals(appId: string, limit: number): Promise<ArrivalDoc[]> {
  const c = await collections();
  return c.arrivals.find({ appId }).sort({ version: -1 }).limit(limit).toArray();
}

/** Which of these versions already have an arrival recorded, per region: `${appId}@${version}@${region}`. */
export async function recordedArrivalKeys(
  keys: readonly { appId: string; version: number }[],
): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const c = await collections();
  const found = await c.arrivals
    .find(
      { $or: keys.map((k) => ({ appId: k.appId, version: k.version })) },
      { projection: { _id: 0, appId: 1, version: 1, region: 1 } },
    )
    .toArray();
  return new Set(found.map((a) => arrivalKey(a.appId, a.version, a.region)));
}

/** Arrivals recorded in a region at or after a time (served by the {region, arrivedAt} index). */
export async function arrivalsSince(region: string, since: Date): Promise<ArrivalDoc[]> {
  const c = await collections();
  return c.arrivals.find({ region, arrivedAt: { $gte: since } }).toArray();
}

/** The newest `limit` arrivals of a region since a time, optionally for one app. */
export async function recentLatencies({
  region,
  since,
  limit,
  appId,
}: {
  region: string;
  since: Date;
  limit: number;
  appId?: string;
}): Promise<Pick<ArrivalDoc, 'latencyMs' | 'method'>[]> {
  const c = await collections();
  const filter: Filter<ArrivalDoc> = {
    region,
    arrivedAt: { $gte: since },
    ...(appId ? { appId } : {}),
  };
  return c.arrivals
    .find<Pick<ArrivalDoc, 'latencyMs' | 'method'>>(filter, {
      projection: { _id: 0, latencyMs: 1, method: 1 },
    })
    .sort({ arrivedAt: -1 })
    .limit(limit)
    .toArray();
}
