'use server';

import { revalidatePath } from 'next/cache';
import { jsonField } from '@/lib/actions/define-action';
import { saveConfigAction, type SaveConfigResult } from '@/lib/actions/save-config.impl';
import { currentPrincipal } from '@/lib/auth/session';
import { requestMeta } from '@/lib/request-meta';

// The editor sends one JSON field: the config is nested data that FormData cannot carry.
export async function saveConfig(
  _prev: SaveConfigResult,
  formData: FormData,
): Promise<SaveConfigResult> {
  const result = await saveConfigAction(
    await currentPrincipal(),
    jsonField(formData),
    await requestMeta(),
  );
  if (result.status === 'ok') {
    revalidatePath('/apps');
    revalidatePath(`/apps/${result.data.appId}`, 'layout');
  }
  return result;
}
