'use server';

import { revalidatePath } from 'next/cache';
import type { ActionResult } from '@/lib/actions/define-action';
import { revokeApiTokenAction } from '@/lib/actions/revoke-api-token.impl';
import { currentPrincipal } from '@/lib/auth/session';
import { requestMeta } from '@/lib/request-meta';

export type RevokeApiTokenResult = ActionResult<{ tokenId: string }>;

export async function revokeApiToken(
  _prev: RevokeApiTokenResult,
  formData: FormData,
): Promise<RevokeApiTokenResult> {
  const result = await revokeApiTokenAction(
    await currentPrincipal(),
    { tokenId: formData.get('tokenId') },
    await requestMeta(),
  );
  if (result.status === 'ok') revalidatePath('/tokens');
  return result;
}
