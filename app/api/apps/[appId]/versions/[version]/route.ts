import { defineApiRoute } from '@/lib/api/define-route';
import { operations } from '@/lib/api/operations';
import { getAppForPrincipalOrThrow } from '@/lib/db/apps';
import { getVersion } from '@/lib/db/config-versions';
import { NotFoundError } from '@/lib/errors';
import { fingerprint } from '@/lib/fingerprint';
import { maskSecrets } from '@/lib/secrets';

export const dynamic = 'force-dynamic';

export const GET = defineApiRoute(operations.getVersion, async ({ principal, params }) => {
  const app = await getAppForPrincipalOrThrow(principal, params.appId);
  const doc = await getVersion(app._id, params.version);
  if (!doc) throw new NotFoundError(`Version ${params.version} of this app does not exist.`);
  return {
    ...doc,
    checksum: fingerprint(doc.checksum),
    appId: app._id,
    config: maskSecrets(doc.data),
  };
});
