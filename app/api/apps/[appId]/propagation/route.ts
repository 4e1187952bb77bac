import { defineRoute } from '@/lib/api/define-route';
import { jsonWithEtag } from '@/lib/api/json-etag';
import { appPropagationStatus, statusAppForPrincipal } from '@/lib/propagation/read-status';
import { waitForConvergence } from '@/lib/propagation/wait';
import { acquireWatch } from '@/lib/propagation/watch-limits';
import { appParamsSchema, propagationQuerySchema } from '@/lib/schemas/propagation';

export const dynamic = 'force-dynamic';

const DEFAULT_WAIT_MS = 30_000;

/**
 * Where an app's head has reached, per region, from the status observer (ETag: an unchanged
 * poll gets 304). With `?version=N` it waits (long poll, up to `waitMs`) until every region holds
 * N or newer and says whether it converged, so a deploy pipeline can block on it; waits are
 * capped per caller (429 with Retry-After). An unknown or foreign app is 404.
 */
export const GET = defineRoute(
  {
    name: 'app-propagation',
    permission: 'propagation:read',
    params: appParamsSchema,
    query: propagationQuerySchema,
  },
  async ({ principal, params, query, request }) => {
    const app = await statusAppForPrincipal(principal, params.appId);
    if (query.version === undefined) return jsonWithEtag(request, await appPropagationStatus(app));
    const release = acquireWatch(principal, 'wait');
    try {
      const { status, converged, waitedMs } = await waitForConvergence(
        app,
        query.version,
        query.waitMs ?? DEFAULT_WAIT_MS,
        { signal: request.signal },
      );
      return { ...status, wait: { version: query.version, converged, waitedMs } };
    } finally {
      release();
    }
  },
);
