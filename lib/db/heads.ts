import 'server-only';
import type { Filter } from 'mongodb';
import { collections, type ConfigVersionDoc } from '@/lib/db/collections';

/**
 * The one place that reads an app's head: its newest version in config_versions. Computed from
 * the versions themselves rather than the materialised apps.headVersion, which may lag until the
 * worker repairs it. Served by the {appId, version: -1} index.
 */

/** A head without its data: status is polled often and never needs the body. */
export interface HeadRecord {
  appId: string;
  tenantId: string;
  version: number;
  checksum: string;
  createdAt: Date;
  pushedAt: Date | null;
}

const headFields = {
  _id: 0,
  appId: 1,
  tenantId: 1,
  version: 1,
  checksum: 1,
  createdAt: 1,
  pushedAt: 1,
} as const;

/**
 * The newest version of one app, or null for an app without any configuration. With
 * `{ data: false }` the config body is left out (and not read from storage).
 */
export async function readHead(appId: string): Promise<ConfigVersionDoc | null>;
export async function readHead(appId: string, opts: { data: false }): Promise<HeadRecord | null>;
export async function readHead(
  appId: string,
  opts?: { data: false },
): Promise<ConfigVersionDoc | HeadRecord | null> {
  const c = await collections();
  return opts
    ? c.configVersions.findOne<HeadRecord>(
        { appId },
        { sort: { version: -1 }, projection: headFields },
      )
    : c.configVersions.findOne({ appId }, { sort: { version: -1 } });
}

/**
 * The head of every app matching `filter` (e.g. a list of apps, or versions committed since a
 * time), without data, in one aggregation.
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
      { $project: { ...headFields, appId: '$_id' } },
    ])
    .toArray();
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
