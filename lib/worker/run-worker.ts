import 'server-only';
import { recordArrivals } from '@/lib/db/arrivals';
import { ensureIndexes } from '@/lib/db/collections';
import { backfillPass } from '@/lib/deployments/backfill';
import { keepMarkers } from '@/lib/deployments/marker-writer';
import { verifyPass } from '@/lib/deployments/verify';
import { ArrivalRecorder } from '@/lib/arrivals/recorder';
import { measureInstancesBehind } from '@/lib/instances/behind';
import { readAllRegions } from '@/lib/propagation/read-stamps';
import { listRegions } from '@/lib/regions';
import { pollArrivals } from '@/lib/arrivals/poller';
import { startArrivalListeners } from '@/lib/arrivals/listener';
import { every, type Log } from '@/lib/worker/loop';
import { sleep } from '@/lib/timing';
import { retryDeploymentOutboxes } from '@/lib/worker/deployment-retry';
import { retryDuePushes } from '@/lib/worker/push-retry';
import { reconcileHeads, repairMaterialisedHeads } from '@/lib/worker/reconcile';
import { log as rootLog } from '@/lib/log';
import { metrics } from '@/lib/metrics';

const workerLog = rootLog.child({ component: 'worker' });
import { startNotifications } from '@/lib/worker/notifications';

export interface WorkerIntervals {
  /** Outbox pass: versions whose push failed. */
  pushRetryMs: number;
  /** Heads missing from (or older in) the primary. */
  reconcileMs: number;
  /** Arrivals pub/sub did not deliver, measured from the stamps. */
  pollMs: number;
  /** apps.headVersion repair. */
  repairMs: number;
  /** Region reachability markers ("unreachable since"), kept current even with no dashboard open. */
  regionsMs: number;
  /** The other side of a migration: its outbox, backfill, diff and the active-deployment marker. */
  migrationMs: number;
  /** Service instances behind the head, per region (metrics). */
  instancesMs: number;
}

export const defaultIntervals: WorkerIntervals = {
  pushRetryMs: 1_000,
  reconcileMs: 2_000,
  pollMs: 1_000,
  repairMs: 30_000,
  regionsMs: 2_000,
  migrationMs: 1_000,
  instancesMs: 30_000,
};

export interface RunningWorker {
  recorder: ArrivalRecorder;
  subscribedRegions(): string[];
  /** Stops every loop, writes pending arrivals, closes the subscriptions. */
  stop(): Promise<void>;
}

/**
 * Everything the worker does, as loops that survive outages. Safe to run twice at once: pushes
 * are compare-and-set, outbox marks and head repairs are conditional, arrivals are $setOnInsert.
 */
export async function startWorker({
  log = (line, level) => (level === 'info' ? workerLog.info(line) : workerLog.warn(line)),
  intervals = {},
}: { log?: Log; intervals?: Partial<WorkerIntervals> } = {}): Promise<RunningWorker> {
  const every_ = { ...defaultIntervals, ...intervals };
  const stopping = new AbortController();
  const { signal } = stopping;
  const regions = listRegions();

  // MongoDB may be down when we start: keep trying rather than exit and lose the listener.
  for (let attempt = 0; !signal.aborted; attempt += 1) {
    try {
      await ensureIndexes();
      break;
    } catch (error) {
      if (attempt === 0)
        log(
          `MongoDB not ready (${error instanceof Error ? error.message : String(error)}); retrying`,
        );
      await sleep(1_000, signal);
    }
  }

  const { arrivalSeconds } = metrics();
  const recorder = new ArrivalRecorder({
    write: recordArrivals,
    log,
    onRecorded: (a) =>
      arrivalSeconds.observe({ region: a.region, method: a.method }, a.latencyMs / 1000),
  });
  const listeners = startArrivalListeners({ regions, recorder, log });
  const ctx = { signal, log };
  const loops = [
    every('push retry', every_.pushRetryMs, () => retryDuePushes(), ctx),
    every('re-push heads', every_.reconcileMs, () => reconcileHeads(), ctx),
    every('arrival poll', every_.pollMs, () => pollArrivals({ regions, recorder }), ctx),
    every('head repair', every_.repairMs, () => repairMaterialisedHeads(), ctx),
    every('region reachability', every_.regionsMs, () => readAllRegions([]), ctx),
    every('deployment outboxes', every_.pushRetryMs, () => retryDeploymentOutboxes(), ctx),
    every('deployment marker', every_.migrationMs, () => keepMarkers(), ctx),
    every('backfill', every_.migrationMs, () => backfillPass(), ctx),
    every('verify', every_.migrationMs, () => verifyPass(), ctx),
    every('instances behind', every_.instancesMs, () => measureInstancesBehind(), ctx),
  ];
  const notifications = startNotifications({ ctx, log });
  log(`running: ${regions.map((r) => `${r.name} (${r.role})`).join(', ')}`, 'info');

  return {
    recorder,
    subscribedRegions: () => listeners.subscribed(),
    async stop() {
      stopping.abort();
      await Promise.all(loops);
      await Promise.all([recorder.stop(), listeners.stop(), notifications.stop()]);
    },
  };
}
