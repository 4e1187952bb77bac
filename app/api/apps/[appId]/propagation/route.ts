import { defineRoute } from '@/lib/api/define-route';
import { getAppForPrincipalOrThrow } from '@/lib/db/apps';
import { appPropagationStatus, waitForConvergence } from '@/lib/propagation/status';
import { appParamsSchema, propagationQuerySchema } from '@/lib/schemas/propagation';

export const dynamic = 'force-dynamic';

const DEFAULT_WAIT_MS = 30_000;

/**
 * Where an app's head has reached, per region. With `?version=N` it waits (long poll, up to
 * `waitMs`) until every region holds N or newer and says whether it converged, so a deploy
 * pipeline can block on it. An unknown or foreign app is 404.
 */
export const GET = defineRoute(
  {
    name: 'app-propagation',
    permission: 'propagation:read',
    params: appParamsSchema,
    query: propagationQuerySchema,
  },
  async ({ principal, params, query, request }) => {
    const app = await getAppForPrincipalOrThrow(principal, params.appId);
    if (query.version === undefined) return appPropagationStatus(app);
    const { status, converged, waitedMs } = await waitForConvergence(
      app,
      query.version,
      query.waitMs ?? DEFAULT_WAIT_MS,
      { signal: request.signal },
    );
    return { ...status, wait: { version: query.version, converged, waitedMs } };
  },
);
