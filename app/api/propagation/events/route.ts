import { defineRoute, noParams, noQuery } from '@/lib/api/define-route';
import { eventFrame, eventStream, jsonEventFrame } from '@/lib/api/event-stream';
import { tenantScope } from '@/lib/auth/authorize';
import { getObserver } from '@/lib/propagation/observer/instance';
import { fleetChanges, regionHealthNow } from '@/lib/propagation/read-status';
import { acquireWatch } from '@/lib/propagation/watch-limits';

export const dynamic = 'force-dynamic';

/**
 * Live changes in the caller's scope (every tenant for support), pushed as Server-Sent Events:
 * `fleet` with the rows of the apps in the scope that changed (FleetStreamEvent: numbered, so a
 * client knows when it missed some and reads its page again), at most every 100 ms, and
 * `regions` with every region's health after each scan. Capped per caller with the long-poll
 * waits.
 */
export const GET = defineRoute(
  { name: 'propagation-events', permission: 'propagation:read', params: noParams, query: noQuery },
  async ({ principal, request }) => {
    const { tenantId } = tenantScope(principal);
    const observer = getObserver();
    await observer.ready();
    const release = acquireWatch(principal, 'stream');
    const regions = () => eventFrame('regions', { regions: regionHealthNow(observer) }, 'regions');
    return eventStream(request, (send) => {
      let seq = 0;
      send(eventFrame('fleet', { seq, rows: [] }));
      send(regions());
      const stop = observer.watchScope((batch) => {
        const changes = fleetChanges(batch, tenantId ?? null, observer);
        if (changes) {
          seq += 1;
          const body = 'overflow' in changes ? '"overflow":true' : `"rows":${changes.rowsJson}`;
          send(jsonEventFrame('fleet', `{"seq":${seq},${body}}`));
        }
        if (batch.regions) send(regions());
      });
      return () => {
        stop();
        release();
      };
    });
  },
);
