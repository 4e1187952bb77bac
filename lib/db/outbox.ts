import 'server-only';
import { collections, type ConfigVersionDoc } from '@/lib/db/collections';

/** One version of one app: the outbox entry each mark below acts on. */
type VersionKey = { appId: string; version: number };

/**
 * The push outbox is config_versions itself: a version with pushedAt null has not reached the
 * primary cache yet. Marking is conditional, so two workers (or a worker and a save) marking the
 * same version do no harm.
 */
export async function markPushed({ appId, version, pushedAt }: VersionKey & { pushedAt: Date }) {
  const c = await collections();
  // Older unpushed versions of the app are superseded: the primary holds something newer, and the
  // compare-and-set would refuse them anyway.
  await c.configVersions.updateMany(
    { appId, version: { $lte: version }, pushedAt: null },
    { $set: { pushedAt, lastPushError: null, nextPushAt: null, divergedAt: null } },
  );
}

/**
 * The primary holds this version with another checksum: the version is not pushed, and retrying
 * cannot change that (the compare-and-set refuses the same version), so it leaves the retry
 * queue until support forces a re-push or a newer version supersedes it.
 */
export async function markDiverged({ appId, version, error }: VersionKey & { error: string }) {
  const c = await collections();
  await c.configVersions.updateOne(
    { appId, version, pushedAt: null },
    { $set: { divergedAt: new Date(), lastPushError: error, nextPushAt: null } },
  );
}

export async function recordPushFailure({
  appId,
  version,
  error,
  nextPushAt,
}: VersionKey & { error: string; nextPushAt: Date }) {
  const c = await collections();
  await c.configVersions.updateOne(
    { appId, version, pushedAt: null },
    { $set: { lastPushError: error.slice(0, 300), nextPushAt }, $inc: { pushAttempts: 1 } },
  );
}

/** Unpushed versions that are due, oldest first; diverged ones wait for a person instead. */
export async function listDuePushes({
  now,
  limit,
}: {
  now: Date;
  limit: number;
}): Promise<ConfigVersionDoc[]> {
  const c = await collections();
  return c.configVersions
    .find({
      pushedAt: null,
      divergedAt: null,
      $or: [{ nextPushAt: null }, { nextPushAt: { $lte: now } }],
    })
    .sort({ createdAt: 1, version: 1 })
    .limit(limit)
    .toArray();
}

/** How many versions wait for a push, and since when the oldest has waited (metrics). */
export async function outboxStats(): Promise<{ depth: number; oldestAt: Date | null }> {
  const c = await collections();
  // Both answered from the push_outbox index ({pushedAt, createdAt}).
  const [depth, oldest] = await Promise.all([
    c.configVersions.countDocuments({ pushedAt: null }),
    c.configVersions
      .find({ pushedAt: null }, { projection: { createdAt: 1 } })
      .sort({ createdAt: 1 })
      .limit(1)
      .next(),
  ]);
  return { depth, oldestAt: oldest?.createdAt ?? null };
}
