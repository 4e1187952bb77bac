'use server';

import { revalidatePath } from 'next/cache';
import { createApiTokenAction } from '@/lib/actions/create-api-token.impl';
import type { ActionResult } from '@/lib/actions/define-action';
import { currentPrincipal } from '@/lib/auth/session';
import type { ApiTokenSummary } from '@/lib/db/api-tokens';
import { requestMeta } from '@/lib/request-meta';

export type CreateApiTokenResult = ActionResult<{ token: ApiTokenSummary; secret: string }>;

// Plain form fields (not a JSON payload) so the form also works before JavaScript has loaded.
export async function createApiToken(
  _prev: CreateApiTokenResult,
  formData: FormData,
): Promise<CreateApiTokenResult> {
  const result = await createApiTokenAction(
    await currentPrincipal(),
    { name: formData.get('name'), scope: formData.get('scope') },
    await requestMeta(),
  );
  if (result.status === 'ok') revalidatePath('/tokens');
  return result;
}
