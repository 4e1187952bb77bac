'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/actions/define-action';
import { actorOf, recordAudit } from '@/lib/db/audit';
import { takeStep } from '@/lib/deployments/migration-steps';
import type { ActionResult } from '@/lib/results';
import { migrationStepSchema } from '@/lib/schemas/migration';

/** `conflict`: the step was refused (gate closed, or another operator acted first). */
export type TakeMigrationStepResult = ActionResult<{ revision: number }, { revision: number }>;

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
  async (input, { principal, meta }): Promise<TakeMigrationStepResult> => {
    const result = await takeStep({
      ...input,
      by: { id: principal.id, name: principal.name },
      audit: (entry) => recordAudit({ ...entry, actor: actorOf(principal), tenantId: null, meta }),
    });
    if (result.status === 'refused')
      return {
        status: 'conflict',
        conflict: { revision: result.state.revision },
        message: result.message,
      };
    return { status: 'ok', data: { revision: result.state.revision }, message: result.message };
  },
);
