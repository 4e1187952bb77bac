import 'server-only';
import type { ConfigVersionDoc } from '@/lib/db/collections';
import { markPushed, recordPushFailure } from '@/lib/db/outbox';
import { primaryRedis } from '@/lib/redis/clients';
import { pushToPrimary } from '@/lib/propagation/push';

export type PushResult = { pushed: true; pushedAt: Date } | { pushed: false; error: string };

/** First retry after 1 s, doubling up to a minute: a primary outage is not hammered. */
export function backoffMs(attempts: number): number {
  return Math.min(1_000 * 2 ** Math.max(0, attempts), 60_000);
}

/**
 * Push a committed version to the primary and record the outcome in MongoDB. Never throws: a
 * failed push leaves the version in the outbox for the worker, and the save still succeeded.
 */
export async function pushVersion(
  doc: Pick<
    ConfigVersionDoc,
    'appId' | 'version' | 'checksum' | 'data' | 'createdAt' | 'pushAttempts'
  >,
): Promise<PushResult> {
  try {
    const outcome = await pushToPrimary(primaryRedis(), {
      appId: doc.appId,
      version: doc.version,
      checksum: doc.checksum,
      data: doc.data,
      committedAt: doc.createdAt,
    });
    const pushedAt = new Date(outcome.status === 'written' ? outcome.pushedAt : Date.now());
    await markPushed({ appId: doc.appId, version: doc.version, pushedAt });
    return { pushed: true, pushedAt };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await recordPushFailure({
      appId: doc.appId,
      version: doc.version,
      error: message,
      nextPushAt: new Date(Date.now() + backoffMs(doc.pushAttempts)),
    }).catch(() => {});
    return { pushed: false, error: message };
  }
}
