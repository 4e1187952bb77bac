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
  /** The primary holds this version with another checksum (lib/db/outbox.ts, markDiverged). */
  divergedAt?: Date | null;
  /** The head is a tombstone: the app is archived. */
  archived?: true;
}

const headFields = {
  _id: 0,
  appId: 1,
  tenantId: 1,
  version: 1,
  checksum: 1,
  createdAt: 1,
  pushedAt: 1,
  divergedAt: 1,
  archived: 1,
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
          divergedAt: { $first: '$divergedAt' },
          archived: { $first: '$archived' },
        },
      },
      { $project: { ...headFields, appId: '$_id' } },
    ])
    .toArray();
}

/**
 * The head of every app, a page of apps at a time, for the status observer's full pass: each page
 * reads only the versions at or above every app's materialised headVersion, exact reads on the
 * {appId, version} index, instead of aggregating every version ever saved. A headVersion that
 * lags (the worker repairs it) costs a few more versions for that app, never a missed head.
 * Versions of an app without an app record are not read.
 */
export async function readAllHeads(pageSize = 1000): Promise<HeadRecord[]> {
  const c = await collections();
  const heads: HeadRecord[] = [];
  for (let after: string | null = null; ;) {
    const apps = await c.apps
      .find(after === null ? {} : { _id: { $gt: after } }, {
        projection: { _id: 1, headVersion: 1 },
      })
      .sort({ _id: 1 })
      .limit(pageSize)
      .toArray();
    if (apps.length === 0) return heads;
    const versions = await c.configVersions
      .find<HeadRecord>(
        { $or: apps.map((a) => ({ appId: a._id, version: { $gte: a.headVersion } })) },
        { projection: headFields },
      )
      .toArray();
    const newest = new Map<string, HeadRecord>();
    for (const v of versions) {
      if ((newest.get(v.appId)?.version ?? 0) < v.version) newest.set(v.appId, v);
    }
    heads.push(...newest.values());
    if (apps.length < pageSize) return heads;
    after = apps.at(-1)!._id;
  }
}

/**
 * Versions committed, pushed or found diverged since a time (each a candidate head; the caller
 * keeps the newest per app): what the status observer reconciles every second instead of every
 * head. Three index reads, {createdAt}, {pushedAt, createdAt} and {divergedAt}: a push or a
 * refused push marks an old version, so each is needed.
 */
export async function readVersionsTouchedSince(since: Date): Promise<HeadRecord[]> {
  const c = await collections();
  const find = (filter: Filter<ConfigVersionDoc>) =>
    c.configVersions.find<HeadRecord>(filter, { projection: headFields }).toArray();
  const [committed, pushed, diverged] = await Promise.all([
    find({ createdAt: { $gte: since } }),
    find({ pushedAt: { $gte: since } }),
    find({ divergedAt: { $gte: since } }),
  ]);
  return [...committed, ...pushed, ...diverged];
}

/**
 * Materialised head repair (version, time, archived state): only ever moves forward, so a racing
 * save is never undone.
 */
export async function repairHeadVersions(
  heads: readonly Pick<HeadRecord, 'appId' | 'version' | 'createdAt' | 'archived'>[],
): Promise<number> {
  if (heads.length === 0) return 0;
  const c = await collections();
  const byApp = new Map(heads.map((h) => [h.appId, h]));
  const stale = await c.apps
    .find({ _id: { $in: [...byApp.keys()] } }, { projection: { _id: 1, headVersion: 1 } })
    .toArray();
  const fixes = stale.flatMap((app) => {
    const head = byApp.get(app._id);
    if (!head || app.headVersion >= head.version) return [];
    const $set = {
      headVersion: head.version,
      updatedAt: head.createdAt,
      archivedAt: head.archived ? head.createdAt : null,
    };
    return [
      {
        updateOne: {
          filter: { _id: app._id, headVersion: { $lt: head.version } },
          update: { $set },
        },
      },
    ];
  });
  if (fixes.length === 0) return 0;
  const result = await c.apps.bulkWrite(fixes, { ordered: false });
  return result.modifiedCount;
}
