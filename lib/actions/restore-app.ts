'use server';

import { defineAction } from '@/lib/actions/define-action';
import { showNewVersion } from '@/lib/actions/show-new-version';
import { archiveFormInput, restoreApp as restore } from '@/lib/apps/archive-app';
import { archiveAppSchema } from '@/lib/schemas/app';

export const restoreApp = defineAction(
  {
    name: 'restoreApp',
    permission: 'apps:manage',
    schema: archiveAppSchema,
    fromForm: archiveFormInput,
    onSuccess: showNewVersion,
  },
  (input, ctx) => restore({ ...ctx, input }),
);
