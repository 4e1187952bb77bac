import 'server-only';
import { collections } from '@/lib/db/collections';

/** Every app id in order, a page at a time: how a long pass (the backfill) walks and resumes. */
export async function listAppIdsAfter(cursor: string | null, limit: number): Promise<string[]> {
  const c = await collections();
  const apps = await c.apps
    .find(cursor === null ? {} : { _id: { $gt: cursor } }, { projection: { _id: 1 } })
    .sort({ _id: 1 })
    .limit(limit)
    .toArray();
  return apps.map((a) => a._id);
}

export async function countApps(): Promise<number> {
  const c = await collections();
  return c.apps.countDocuments({});
}
