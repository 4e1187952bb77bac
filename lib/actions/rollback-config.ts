'use server';

import { jsonField } from '@/lib/actions/define-action';
import { revalidateApp } from '@/lib/actions/revalidate-app';
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
  if (result.status === 'ok') revalidateApp(result.data.appId);
  return result;
}
