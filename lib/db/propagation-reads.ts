import 'server-only';
import type { Filter } from 'mongodb';
import { collections, type ConfigVersionDoc } from '@/lib/db/collections';

/**
 * The few reads propagation needs that the config data layer does not offer: heads without their
 * data (status is polled twice a second per open dashboard, the body is never needed there), for
 * one app or for every app in a scope at once.
 */

export interface HeadRecord {
  appId: string;
  tenantId: string;
  version: number;
  checksum: string;
  createdAt: Date;
  pushedAt: Date | null;
}

const headProjection = {
  _id: 0,
  appId: 1,
  tenantId: 1,
  version: 1,
  checksum: 1,
  createdAt: 1,
  pushedAt: 1,
} as const;

/** The newest version of one app, without its data; served by the {appId, version: -1} index. */
export async function readHead(appId: string): Promise<HeadRecord | null> {
  const c = await collections();
  return c.configVersions.findOne<HeadRecord>(
    { appId },
    { sort: { version: -1 }, projection: headProjection },
  );
}

/**
 * The head of every app matching `filter` (e.g. a tenant scope, or versions committed since a
 * time), in one aggregation. Computed from config_versions itself rather than the materialised
 * apps.headVersion, which may lag until the worker repairs it.
 */
export async function readHeads(filter: Filter<ConfigVersionDoc> = {}): Promise<HeadRecord[]> {
  const c = await collections();
  return c.configVersions
    .aggregate<HeadRecord>([
      { $match: filter },
      { $sort: { appId: 1, version: -1 } },
      {
        $group: {
          _id: '$appId',
          tenantId: { $first: '$tenantId' },
          version: { $first: '$version' },
          checksum: { $first: '$checksum' },
          createdAt: { $first: '$createdAt' },
          pushedAt: { $first: '$pushedAt' },
        },
      },
      {
        $project: {
          _id: 0,
          appId: '$_id',
          tenantId: 1,
          version: 1,
          checksum: 1,
          createdAt: 1,
          pushedAt: 1,
        },
      },
    ])
    .toArray();
}

export interface AppListing {
  appId: string;
  tenantId: string;
  name: string;
  headVersion: number;
}

/** Every app in a tenant scope (`{}` for support), names only: the fleet lists thousands. */
export async function listAppListings(scope: { tenantId?: string }): Promise<AppListing[]> {
  const c = await collections();
  const apps = await c.apps
    .find(scope, { projection: { _id: 1, tenantId: 1, name: 1, headVersion: 1 } })
    .sort({ tenantId: 1, name: 1 })
    .toArray();
  return apps.map((a) => ({
    appId: a._id,
    tenantId: a.tenantId,
    name: a.name,
    headVersion: a.headVersion,
  }));
}

/** Materialised headVersion repair: only ever moves forward, so a racing save is never undone. */
export async function repairHeadVersions(
  heads: readonly Pick<HeadRecord, 'appId' | 'version'>[],
): Promise<number> {
  if (heads.length === 0) return 0;
  const c = await collections();
  const wanted = new Map(heads.map((h) => [h.appId, h.version]));
  const stale = await c.apps
    .find({ _id: { $in: [...wanted.keys()] } }, { projection: { _id: 1, headVersion: 1 } })
    .toArray();
  const fixes = stale.flatMap((app) => {
    const version = wanted.get(app._id);
    return version !== undefined && app.headVersion < version
      ? [
          {
            updateOne: {
              filter: { _id: app._id, headVersion: { $lt: version } },
              update: { $set: { headVersion: version } },
            },
          },
        ]
      : [];
  });
  if (fixes.length === 0) return 0;
  const result = await c.apps.bulkWrite(fixes, { ordered: false });
  return result.modifiedCount;
}

/** Full documents for the versions the worker has to re-push (it needs their data). */
export async function readVersions(
  keys: readonly { appId: string; version: number }[],
): Promise<ConfigVersionDoc[]> {
  if (keys.length === 0) return [];
  const c = await collections();
  return c.configVersions
    .find({ $or: keys.map((k) => ({ appId: k.appId, version: k.version })) })
    .toArray();
}
