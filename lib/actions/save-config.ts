'use server';

import { defineAction } from '@/lib/actions/define-action';
import { showNewVersion } from '@/lib/actions/show-new-version';
import { saveConfigSchema } from '@/lib/schemas/versions';
import { saveNextVersion } from '@/lib/versions/save-next-version';

// The editor sends one JSON field (the default): the config is nested data FormData cannot carry.
export const saveConfig = defineAction(
  {
    name: 'saveConfig',
    permission: 'config:edit',
    schema: saveConfigSchema,
    onSuccess: showNewVersion,
  },
  (input, ctx) => saveNextVersion({ ...ctx, input }),
);
