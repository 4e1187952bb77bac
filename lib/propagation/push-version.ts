import 'server-only';
import type { ConfigVersionDoc } from '@/lib/db/collections';
import { getCacheState } from '@/lib/db/cache-state';
import {
  enqueueDeploymentPush,
  markDeploymentPushed,
  recordDeploymentPushFailure,
} from '@/lib/db/deployment-outbox';
import { markDiverged, markPushed, recordPushFailure } from '@/lib/db/outbox';
import { writeTargets } from '@/lib/model/migration';
import { errorFields, log } from '@/lib/log';
import { metrics, secondsSince } from '@/lib/metrics';
import { recordPushedEvent } from '@/lib/db/webhook-events';
import { deploymentPrimaryRedis } from '@/lib/redis/clients';
import { pushToPrimary, type PushOutcome } from '@/lib/propagation/push';

export type PushResult =
  | { pushed: true; pushedAt: Date }
  | { pushed: false; error: string; diverged?: false }
  /** The primary holds this version with another checksum: flagged, left for a forced re-push. */
  | { pushed: false; error: string; diverged: true }
  /** A forced re-push of a version older than the one the primary holds: refused. */
  | { pushed: false; error: string; diverged?: false; newerInCache: number };

type PushDoc = Pick<
  ConfigVersionDoc,
  'appId' | 'tenantId' | 'version' | 'checksum' | 'data' | 'createdAt' | 'pushAttempts' | 'archived'
>;

/** First retry after 1 s, doubling up to a minute: a primary outage is not hammered. */
export function backoffMs(attempts: number): number {
  return Math.min(1_000 * 2 ** Math.max(0, attempts), 60_000);
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** One compare-and-set push to a deployment's primary; throws when it cannot be reached. */
async function pushTo(deployment: string, doc: PushDoc, overwriteSameVersion = false) {
  return pushToPrimary(deploymentPrimaryRedis(deployment), {
    appId: doc.appId,
    version: doc.version,
    checksum: doc.checksum,
    data: doc.data,
    committedAt: doc.createdAt,
    archived: doc.archived === true,
    overwriteSameVersion,
  });
}

const pushedAtOf = (outcome: PushOutcome) =>
  new Date(outcome.status === 'written' ? outcome.pushedAt : Date.now());

/**
 * Push a version to a deployment that is not the active one (the other side of a migration),
 * tracked in that deployment's own outbox. Never throws: the worker retries what fails.
 */
export async function pushToOtherDeployment(
  deployment: string,
  doc: PushDoc,
  attempts = 0,
): Promise<boolean> {
  const key = { deployment, appId: doc.appId };
  try {
    const outcome = await pushTo(deployment, doc);
    if (outcome.status === 'diverged') throw new Error(divergedMessage(doc));
    await markDeploymentPushed({ ...key, version: doc.version });
    return true;
  } catch (error) {
    await recordDeploymentPushFailure({
      ...key,
      error: messageOf(error),
      nextPushAt: new Date(Date.now() + backoffMs(attempts)),
    }).catch(() => {});
    return false;
  }
}

function divergedMessage(doc: PushDoc): string {
  return `the primary cache holds v${doc.version} with a different checksum than MongoDB`;
}

/**
 * Push a committed version to every deployment pushes go to, and record the outcome in MongoDB.
 * Resolves with the active deployment's result; the others (the other side of a migration) are
 * queued in their outbox first and pushed in the background, so a target that is down neither
 * fails nor slows the save. Never throws: a failed push stays in its outbox for the worker, and a
 * diverged one (same version, other checksum in the cache) is flagged and waits for a person.
 *
 * `overwriteSameVersion`: support's forced re-push of a diverged version; it replaces the same
 * version in the active primary, never a newer one.
 */
export async function pushVersion(
  doc: PushDoc,
  { overwriteSameVersion = false } = {},
): Promise<PushResult> {
  const started = performance.now();
  const result = await pushAndMark(doc, overwriteSameVersion);
  const seconds = secondsSince(started);
  const outcome = result.pushed ? 'pushed' : result.diverged ? 'diverged' : 'failed';
  metrics().pushSeconds.observe({ outcome }, seconds);
  const fields = { appId: doc.appId, version: doc.version, ms: Math.round(seconds * 1000) };
  if (result.pushed) log.info(fields, 'pushed');
  else
    log.warn({ ...fields, attempts: doc.pushAttempts + 1, error: result.error }, `push ${outcome}`);
  return result;
}

async function pushAndMark(doc: PushDoc, overwriteSameVersion: boolean): Promise<PushResult> {
  try {
    const [active, ...others] = writeTargets(await getCacheState());
    if (!active) throw new Error('no active cache deployment');
    // Queued durably (in parallel with the active push), then pushed in the background.
    const queued = others.map((other) =>
      enqueueDeploymentPush({ deployment: other, appId: doc.appId, version: doc.version }).then(
        () => void pushToOtherDeployment(other, doc),
        (error: unknown) =>
          // The worker's per-deployment re-push of heads still finds it.
          log.error(
            { appId: doc.appId, version: doc.version, deployment: other, ...errorFields(error) },
            'could not queue the push for another deployment',
          ),
      ),
    );
    const [outcome] = await Promise.all([pushTo(active, doc, overwriteSameVersion), ...queued]);
    if (outcome.status === 'diverged') {
      const error = divergedMessage(doc);
      await markDiverged({ appId: doc.appId, version: doc.version, error });
      return { pushed: false, error, diverged: true };
    }
    if (overwriteSameVersion && outcome.status === 'superseded') {
      return {
        pushed: false,
        error: `the primary cache holds v${outcome.currentVersion}, newer than v${doc.version}`,
        newerInCache: outcome.currentVersion,
      };
    }
    const pushedAt = pushedAtOf(outcome);
    await Promise.all([
      markPushed({ appId: doc.appId, version: doc.version, pushedAt }),
      // The push stands whether or not its event could be recorded.
      outcome.status === 'written' &&
        recordPushedEvent(doc, pushedAt).catch((error: unknown) =>
          log.error(
            { appId: doc.appId, version: doc.version, ...errorFields(error) },
            'could not record config.pushed',
          ),
        ),
    ]);
    return { pushed: true, pushedAt };
  } catch (error) {
    const message = messageOf(error);
    await recordPushFailure({
      appId: doc.appId,
      version: doc.version,
      error: message,
      nextPushAt: new Date(Date.now() + backoffMs(doc.pushAttempts)),
    }).catch(() => {});
    return { pushed: false, error: message };
  }
}
