'use server';

import { jsonField } from '@/lib/actions/define-action';
import { revalidateApp } from '@/lib/actions/revalidate-app';
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
  if (result.status === 'ok') revalidateApp(result.data.appId);
  return result;
}
