import { sleep } from '@/lib/timing';

/**
 * One line for the operator. A line is a problem (a failure the worker retries) unless it says
 * `info` (started, recovered): under LOG_LEVEL=warn only the problems are written.
 */
export type Log = (line: string, level?: 'info') => void;

/**
 * A worker loop: run `task`, wait, repeat until stopped. An error (Redis or MongoDB down) is
 * logged and the loop carries on: the worker outlives every outage it is meant to repair.
 */
export async function every(
  name: string,
  intervalMs: number,
  task: () => Promise<unknown>,
  { signal, log }: { signal: AbortSignal; log: Log },
): Promise<void> {
  let failing = false;
  while (!signal.aborted) {
    try {
      await task();
      if (failing) log(`${name}: recovered`, 'info');
      failing = false;
    } catch (error) {
      // Log the first failure of a streak and not every retry: an outage must not flood the log.
      if (!failing)
        log(
          `${name}: ${error instanceof Error ? error.message : String(error)} (retrying every ${intervalMs} ms)`,
        );
      failing = true;
    }
    await sleep(intervalMs, signal);
  }
}
