'use server';

import { revalidatePath } from 'next/cache';
import { jsonField } from '@/lib/actions/define-action';
import {
  rollbackConfigAction,
  type RollbackConfigResult,
} from '@/lib/actions/rollback-config.impl';
import { currentPrincipal } from '@/lib/auth/session';
import { requestMeta } from '@/lib/request-meta';

export async function rollbackConfig(
  _prev: RollbackConfigResult,
  formData: FormData,
): Promise<RollbackConfigResult> {
  const result = await rollbackConfigAction(
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
