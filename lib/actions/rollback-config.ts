'use server';

import { defineAction } from '@/lib/actions/define-action';
import { showNewVersion } from '@/lib/actions/show-new-version';
import { rollbackConfigSchema } from '@/lib/schemas/versions';
import { rollBackToVersion } from '@/lib/versions/roll-back-to-version';

export const rollbackConfig = defineAction(
  {
    name: 'rollbackConfig',
    permission: 'config:edit',
    schema: rollbackConfigSchema,
    onSuccess: showNewVersion,
  },
  (input, ctx) => rollBackToVersion({ ...ctx, input }),
);
