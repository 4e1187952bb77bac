import { defineRoute } from '@/lib/api/define-route';
import { eventStream, sharedEventFrame } from '@/lib/api/event-stream';
import { appStatusEvent } from '@/lib/propagation/status-events';
import { getObserver } from '@/lib/propagation/observer/instance';
import { statusAppForPrincipal } from '@/lib/propagation/read-status';
import { acquireWatch } from '@/lib/propagation/watch-limits';
import type { AppPropagationStatus } from '@/lib/propagation/app-status';
import { appParamsSchema } from '@/lib/schemas/propagation';
import { noQuery } from '@/lib/api/define-route';

export const dynamic = 'force-dynamic';

/**
 * An app's propagation status, pushed (Server-Sent Events): the whole status at once, then again
 * on every change (`head`, `region`, `arrival`; `tick` while a region is behind, so elapsed times
 * move), with heartbeats. Every event carries the whole status, so a client that reads slowly is
 * sent the newest one and skips those in between (key `status`); each status is encoded once for
 * all its watchers. Capped per caller with the long-poll waits (429 with Retry-After).
 */
export const GET = defineRoute(
  {
    name: 'app-propagation-events',
    permission: 'propagation:read',
    params: appParamsSchema,
    query: noQuery,
  },
  async ({ principal, params, request }) => {
    const app = await statusAppForPrincipal(principal, params.appId);
    const observer = getObserver();
    const entry = await observer.appEntry(app._id);
    const release = acquireWatch(principal, 'stream');
    return eventStream(request, (send) => {
      let last: AppPropagationStatus = observer.statusOf(entry);
      send(sharedEventFrame('status', last, 'status'));
      const stop = observer.watchApp(app._id, (changed) => {
        const status = observer.statusOf(changed);
        if (status === last) return;
        send(sharedEventFrame(appStatusEvent(last, status), status, 'status'));
        last = status;
      });
      return () => {
        stop();
        release();
      };
    });
  },
);
