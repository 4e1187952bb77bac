import { defineApiRoute } from '@/lib/api/define-route';
import { operations } from '@/lib/api/operations';
import { diffConfigs } from '@/lib/config-diff';
import { getAppForPrincipalOrThrow } from '@/lib/db/apps';
import { getVersion } from '@/lib/db/config-versions';
import { NotFoundError } from '@/lib/errors';

export const dynamic = 'force-dynamic';

/** Field by field, secrets without values (diffConfigs never includes one). */
export const GET = defineApiRoute(operations.diffVersions, async ({ principal, params, query }) => {
  const app = await getAppForPrincipalOrThrow(principal, params.appId);
  const [from, to] = await Promise.all([
    getVersion(app._id, query.from),
    getVersion(app._id, query.to),
  ]);
  const missing = !from ? query.from : !to ? query.to : null;
  if (!from || !to) throw new NotFoundError(`Version ${missing} of this app does not exist.`);
  return {
    appId: app._id,
    from: from.version,
    to: to.version,
    changes: diffConfigs(from.data, to.data),
  };
});
