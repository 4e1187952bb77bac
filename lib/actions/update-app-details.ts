'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/actions/define-action';
import { getAppForPrincipalOrThrow, updateAppDetails as saveDetails } from '@/lib/db/apps';
import { formInvalid, ok } from '@/lib/results';
import { appDetailsSchema } from '@/lib/schemas/app';

/** Renames and describes an app. Both are labels for people, not configuration: no new version. */
export const updateAppDetails = defineAction(
  {
    name: 'updateAppDetails',
    permission: 'apps:manage',
    schema: appDetailsSchema,
    fromForm: (formData) => ({
      appId: formData.get('appId'),
      name: formData.get('name'),
      description: formData.get('description') ?? '',
    }),
    onSuccess: ({ data }: { data: { appId: string } }) => {
      revalidatePath('/apps');
      revalidatePath(`/apps/${data.appId}`, 'layout');
    },
  },
  async ({ appId, name, description }, { principal, audit }) => {
    const app = await getAppForPrincipalOrThrow(principal, appId);
    if (app.archivedAt) {
      return formInvalid(`${app.name} is archived and read-only. Restore it to rename it.`);
    }
    if (name === app.name && description === app.description)
      return formInvalid('Nothing changed.');
    await saveDetails({ id: app._id, name, description });
    await audit({
      action: 'app.updated',
      tenantId: app.tenantId,
      appId: app._id,
      summary: name === app.name ? `Described “${name}”` : `Renamed “${app.name}” to “${name}”`,
      details: {
        before: { name: app.name, description: app.description },
        after: { name, description },
      },
    });
    return ok({ appId: app._id }, 'Saved the name and description.');
  },
);
