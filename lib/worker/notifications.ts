import 'server-only';
import { catchUpCommitEvents, fanOutStragglers } from '@/lib/db/webhook-events';
import { env } from '@/lib/env';
import { createObserver } from '@/lib/propagation/observer/instance';
import { EventDetector } from '@/lib/webhooks/detector';
import { WebhookDispatcher } from '@/lib/webhooks/dispatcher';
import { every, type Log } from '@/lib/worker/loop';

/** How far back the catch-up looks for versions without their event. */
const CATCH_UP_WINDOW_MS = 10 * 60_000;

/**
 * Event notifications in the worker: a status observer of its own feeding the detector
 * (converged, lagging, recovered), the dispatcher sending deliveries, and the catch-up that
 * produces the event of any version whose save could not record it.
 */
export function startNotifications({
  ctx,
  log,
}: {
  ctx: { signal: AbortSignal; log: Log };
  log: Log;
}): { stop: () => Promise<void> } {
  const dispatcher = new WebhookDispatcher({
    policy: { allowLoopback: env.WEBHOOKS_ALLOW_LOOPBACK },
    timeoutMs: env.WEBHOOK_TIMEOUT_MS,
    retryBaseMs: env.WEBHOOK_RETRY_BASE_MS,
    log: (line) => log(`webhooks: ${line}`),
  }).start();
  const observer = createObserver({ log: (line) => log(`observer: ${line}`) });
  const detector = new EventDetector({ observer, log: (line) => log(`events: ${line}`) });
  const started = observer.ready().then(() => detector.start());
  started.catch((error: unknown) =>
    log(`events: could not start (${error instanceof Error ? error.message : String(error)})`),
  );
  const loops = [
    every(
      'event catch-up',
      5_000,
      () => catchUpCommitEvents(new Date(Date.now() - CATCH_UP_WINDOW_MS)),
      ctx,
    ),
    every('event fan-out', 5_000, () => fanOutStragglers(), ctx),
  ];
  return {
    async stop() {
      await Promise.all(loops);
      await started.catch(() => {});
      await Promise.all([detector.stop(), dispatcher.stop(), observer.stop()]);
    },
  };
}
