import { z } from 'zod';
import { migrationSteps } from '@/lib/model/migration-gates';
import { deploymentName } from '@/lib/model/deployment-spec';

/** An operator's step, with the revision of the state their page showed (compare-and-set). */
export const migrationStepSchema = z.object({
  step: z.enum(migrationSteps, { error: 'Unknown step' }),
  expectRevision: z.number().int().nonnegative(),
  target: deploymentName.optional(),
});
