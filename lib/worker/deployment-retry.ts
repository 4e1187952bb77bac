import 'server-only';
import { getCacheState } from '@/lib/db/cache-state';
import {
  dropDeploymentOutboxExcept,
  listDueDeploymentPushes,
  markDeploymentPushed,
} from '@/lib/db/deployment-outbox';
import { readHead } from '@/lib/db/heads';
import { writeTargets } from '@/lib/model/migration';
import { pushToOtherDeployment } from '@/lib/propagation/push-version';

export interface DeploymentRetryOutcome {
  deployment: string;
  due: number;
  pushed: number;
  failed: number;
}

/**
 * One pass over the outbox of every deployment pushes go to besides the active one, each on its
 * own: a target that is down stops only its own pass (its entries keep their backoff), never the
 * others'. Each entry pushes the app's current head, which also covers any older version queued.
 */
export async function retryDeploymentOutboxes({ now = new Date(), limit = 200 } = {}): Promise<
  DeploymentRetryOutcome[]
> {
  const state = await getCacheState();
  const [, ...others] = writeTargets(state);
  // Entries for deployments nothing pushes to any more (finished or cancelled migration).
  await dropDeploymentOutboxExcept(others);
  return Promise.all(
    others.map(async (deployment) => {
      const due = await listDueDeploymentPushes({ deployment, now, limit });
      const outcome: DeploymentRetryOutcome = { deployment, due: due.length, pushed: 0, failed: 0 };
      for (const entry of due) {
        const doc = await readHead(entry.appId);
        if (!doc) {
          await markDeploymentPushed({ deployment, appId: entry.appId, version: entry.version });
          continue;
        }
        if (await pushToOtherDeployment(deployment, doc, entry.attempts)) outcome.pushed += 1;
        else {
          outcome.failed += 1;
          break;
        }
      }
      return outcome;
    }),
  );
}
