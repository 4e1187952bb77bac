import 'server-only';
import { StatusObserver, type ObserverOptions } from '@/lib/propagation/observer/observer';

/**
 * The process's one observer, started on first use. Kept on globalThis: `next dev` re-evaluates
 * modules on every change, and a second observer would double every subscription and scan.
 * Stopped when the process exits (its timers never keep the process alive on their own).
 */
const globalForObserver = globalThis as unknown as { propagateObserver?: StatusObserver };

export function getObserver(): StatusObserver {
  let observer = globalForObserver.propagateObserver;
  if (!observer) {
    observer = new StatusObserver().start();
    globalForObserver.propagateObserver = observer;
    process.once('exit', () => void observer?.stop());
  }
  return observer;
}

/** Stops the process's observer (worker and script shutdown, tests); the next use starts anew. */
export async function stopObserver(): Promise<void> {
  const observer = globalForObserver.propagateObserver;
  globalForObserver.propagateObserver = undefined;
  await observer?.stop();
}

/** An observer of its own, e.g. a test standing in for a second server process. */
export function createObserver(options: ObserverOptions = {}): StatusObserver {
  return new StatusObserver(options).start();
}
