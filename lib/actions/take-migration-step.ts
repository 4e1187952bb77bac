'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/actions/define-action';
import { takeStep } from '@/lib/deployments/migration-steps';
import { ok } from '@/lib/results';
import { migrationStepSchema } from '@/lib/schemas/migration';

/**
 * An operator's step in a cache migration (plan, start, cut over, roll back, finish, cancel).
 * A closed gate or a lost race is a refusal with the reason, shown beside the button.
 */
export const takeMigrationStep = defineAction(
  {
    name: 'takeMigrationStep',
    permission: 'migration:run',
    schema: migrationStepSchema,
    onSuccess: () => revalidatePath('/migration'),
  },
  async (input, { principal, audit }) => {
    const result = await takeStep({
      ...input,
      by: { id: principal.id, name: principal.name },
      audit: (entry) => audit({ ...entry, tenantId: null }),
    });
    // `conflict`: the step was refused (gate closed, or another operator acted first).
    if (result.status === 'refused')
      return {
        status: 'conflict',
        conflict: { revision: result.state.revision },
        message: result.message,
      };
    return ok({ revision: result.state.revision }, result.message);
  },
);
