import 'server-only';
import { collections, type DeploymentOutboxDoc } from '@/lib/db/collections';

/**
 * The outbox of each deployment a push must reach besides the active one (whose outbox is
 * config_versions.pushedAt): one entry per deployment and app holding the newest version it still
 * needs. Written before the push is tried, so a crash in between loses nothing; every change is
 * conditional, so a save, the worker and a second worker can race harmlessly.
 */

const idOf = (deployment: string, appId: string) => `${deployment}\u0000${appId}`;

/** A version of an app that a deployment needs (or now holds). */
export interface DeploymentVersion {
  deployment: string;
  appId: string;
  version: number;
}

export async function enqueueDeploymentPush({
  deployment,
  appId,
  version,
}: DeploymentVersion): Promise<void> {
  const c = await collections();
  const now = new Date();
  await c.deploymentOutbox.updateOne(
    { _id: idOf(deployment, appId) },
    {
      $max: { version },
      $setOnInsert: {
        deployment,
        appId,
        attempts: 0,
        nextPushAt: now,
        lastError: null,
        createdAt: now,
      },
    },
    { upsert: true },
  );
}

/** The deployment holds `version` (or newer): the entry goes unless a newer version came in. */
export async function markDeploymentPushed({
  deployment,
  appId,
  version,
}: DeploymentVersion): Promise<void> {
  const c = await collections();
  await c.deploymentOutbox.deleteOne({ _id: idOf(deployment, appId), version: { $lte: version } });
}

export async function recordDeploymentPushFailure({
  deployment,
  appId,
  error,
  nextPushAt,
}: {
  deployment: string;
  appId: string;
  error: string;
  nextPushAt: Date;
}): Promise<void> {
  const c = await collections();
  await c.deploymentOutbox.updateOne(
    { _id: idOf(deployment, appId) },
    { $set: { lastError: error.slice(0, 300), nextPushAt }, $inc: { attempts: 1 } },
  );
}

/** Entries of one deployment whose backoff has passed, longest waiting first. */
export async function listDueDeploymentPushes({
  deployment,
  now,
  limit,
}: {
  deployment: string;
  now: Date;
  limit: number;
}): Promise<DeploymentOutboxDoc[]> {
  const c = await collections();
  return c.deploymentOutbox
    .find({ deployment, nextPushAt: { $lte: now } })
    .sort({ nextPushAt: 1 })
    .limit(limit)
    .toArray();
}

export async function countDeploymentOutbox(
  deployment: string,
): Promise<{ pending: number; failing: number }> {
  const c = await collections();
  const [pending, failing] = await Promise.all([
    c.deploymentOutbox.countDocuments({ deployment }),
    c.deploymentOutbox.countDocuments({ deployment, attempts: { $gt: 0 } }),
  ]);
  return { pending, failing };
}

/** Entries for deployments no push goes to any more (a migration finished or was cancelled). */
export async function dropDeploymentOutboxExcept(live: string[]): Promise<number> {
  const c = await collections();
  const result = await c.deploymentOutbox.deleteMany({ deployment: { $nin: live } });
  return result.deletedCount;
}
