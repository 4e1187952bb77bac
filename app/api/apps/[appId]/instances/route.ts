import { z } from 'zod';
import { defineRoute, noQuery } from '@/lib/api/define-route';
import { getAppForPrincipalOrThrow } from '@/lib/db/apps';
import { readAppInstances } from '@/lib/instances/app-instances';

export const dynamic = 'force-dynamic';

// The app id is checked by getAppForPrincipalOrThrow: malformed, unknown and foreign all read
// "App not found.", so ids cannot be probed.
const params = z.object({ appId: z.string().max(200) });

export const GET = defineRoute(
  { name: 'app-instances', permission: 'propagation:read', params, query: noQuery },
  async ({ principal, params: { appId } }) => {
    const app = await getAppForPrincipalOrThrow(principal, appId);
    return readAppInstances(app._id);
  },
);
