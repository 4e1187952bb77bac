'use server';

import { defineAction } from '@/lib/actions/define-action';
import { showNewVersion } from '@/lib/actions/show-new-version';
import { archiveFormInput, archiveApp as archive } from '@/lib/apps/archive-app';
import { archiveAppSchema } from '@/lib/schemas/app';

// The app page then shows the archive (a tombstone version) reaching every region.
export const archiveApp = defineAction(
  {
    name: 'archiveApp',
    permission: 'apps:manage',
    schema: archiveAppSchema,
    fromForm: archiveFormInput,
    onSuccess: showNewVersion,
  },
  (input, ctx) => archive({ ...ctx, input }),
);
