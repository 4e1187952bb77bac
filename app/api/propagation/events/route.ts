import { defineRoute, noParams, noQuery } from '@/lib/api/define-route';
import { eventFrame, eventStream } from '@/lib/api/event-stream';
import { tenantScope } from '@/lib/auth/authorize';
import { getObserver } from '@/lib/propagation/observer/instance';
import { regionHealthNow } from '@/lib/propagation/read-status';
import { acquireWatch } from '@/lib/propagation/watch-limits';

export const dynamic = 'force-dynamic';

/**
 * Live changes in the caller's scope (every tenant for support), pushed as Server-Sent Events:
 * `fleet` when apps in the scope changed (how many; lists and the fleet page refetch their page,
 * which the ETag makes cheap) and `regions` with every region's health after each scan. Capped
 * per caller with the long-poll waits.
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
      send(regions());
      const stop = observer.watchScope(({ apps, regions: health }) => {
        const changed = tenantId ? apps.filter((a) => a.tenantId === tenantId).length : apps.length;
        if (changed > 0) send(eventFrame('fleet', { changed }));
        if (health) send(regions());
      });
      return () => {
        stop();
        release();
      };
    });
  },
);
