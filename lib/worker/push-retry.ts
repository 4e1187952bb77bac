import 'server-only';
import { listDuePushes } from '@/lib/db/outbox';
import { withRequestId } from '@/lib/log';
import { pushVersion } from '@/lib/propagation/push-version';
import { newestPerApp } from '@/lib/worker/select';

export interface RetryOutcome {
  due: number;
  pushed: number;
  failed: number;
  /** Found diverged (the primary holds the same version with another checksum): flagged. */
  diverged: number;
}

/**
 * One pass over the outbox (versions with pushedAt null whose backoff has passed), oldest first.
 * A failure stops the pass: when the primary is down, every further attempt would wait for the
 * same timeout, and each failed version keeps its own backoff for the next pass.
 */
export async function retryDuePushes({
  now = new Date(),
  limit = 200,
} = {}): Promise<RetryOutcome> {
  const due = await listDuePushes({ now, limit });
  const outcome: RetryOutcome = { due: due.length, pushed: 0, failed: 0, diverged: 0 };
  for (const doc of newestPerApp(due)) {
    // Logged under the request that committed the version, so its save can be followed here.
    const result = await withRequestId(doc.requestId, () => pushVersion(doc));
    if (result.pushed) outcome.pushed += 1;
    else if (result.diverged) outcome.diverged += 1;
    else {
      outcome.failed += 1;
      break;
    }
  }
  return outcome;
}
