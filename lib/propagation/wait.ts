import 'server-only';
import type { AppPropagationStatus } from '@/lib/propagation/app-status';
import { getObserver } from '@/lib/propagation/observer/instance';
import type { StatusObserver } from '@/lib/propagation/observer/observer';

export interface ConvergenceResult {
  status: AppPropagationStatus;
  /** Every region holds `version` or newer. */
  converged: boolean;
  waitedMs: number;
}

/**
 * Long poll for deploy pipelines: returns as soon as every region holds `version` or newer, or
 * when `waitMs` runs out, or when the caller goes away. It polls nothing: it wakes on the
 * observer's change events for the app, and its listener is gone the moment it returns.
 */
export async function waitForConvergence(
  app: { _id: string },
  version: number,
  waitMs: number,
  opts: { signal?: AbortSignal; observer?: StatusObserver } = {},
): Promise<ConvergenceResult> {
  const observer = opts.observer ?? getObserver();
  const started = Date.now();
  const deadline = started + waitMs;
  const entry = await observer.appEntry(app._id);
  const { signal } = opts;
  if (!observer.converged(entry, version) && !signal?.aborted && Date.now() < deadline) {
    await new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        stopWatching();
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const stopWatching = observer.watchApp(app._id, (changed) => {
        if (observer.converged(changed, version)) done();
      });
      // A timer may fire a hair early by the wall clock: wait out the rest of the deadline.
      const arm = () => {
        const left = deadline - Date.now();
        timer = left > 0 ? setTimeout(arm, left) : undefined;
        if (left <= 0) done();
      };
      arm();
      signal?.addEventListener('abort', done, { once: true });
    });
  }
  return {
    status: observer.statusOf(entry),
    converged: observer.converged(entry, version),
    waitedMs: Date.now() - started,
  };
}
