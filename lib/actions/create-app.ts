'use server';

import { defineAction } from '@/lib/actions/define-action';
import { showNewVersion } from '@/lib/actions/show-new-version';
import { createAppFor } from '@/lib/apps/create-app';
import { createAppSchema } from '@/lib/schemas/app';

/** The form's plain fields (it works before JavaScript loads); secrets arrive as `secret:<path>`. */
function fromForm(formData: FormData): unknown {
  const secrets: Record<string, FormDataEntryValue> = {};
  for (const [key, value] of formData) {
    if (key.startsWith('secret:')) secrets[key.slice('secret:'.length)] = value;
  }
  return {
    id: formData.get('id'),
    name: formData.get('name'),
    description: formData.get('description') ?? '',
    copyFrom: formData.get('copyFrom') ?? '',
    secrets,
  };
}

// Version 1 is a new version like any save: the app page shows it reaching every region.
export const createApp = defineAction(
  {
    name: 'createApp',
    permission: 'apps:manage',
    schema: createAppSchema,
    fromForm,
    onSuccess: showNewVersion,
  },
  (input, ctx) => createAppFor({ ...ctx, input }),
);
