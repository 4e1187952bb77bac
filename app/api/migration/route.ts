import { z } from 'zod';
import { defineRoute, noParams } from '@/lib/api/define-route';
import { readMigrationStatus } from '@/lib/deployments/migration-status';
import { deploymentName } from '@/lib/model/deployment-spec';

export const dynamic = 'force-dynamic';

/** The cache deployments and the migration between them: operators and support only. */
export const GET = defineRoute(
  {
    name: 'migration',
    permission: 'deployments:read',
    params: noParams,
    query: z.object({ target: deploymentName.optional() }),
  },
  async ({ query }) => readMigrationStatus({ target: query.target }),
);
