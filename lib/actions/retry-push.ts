'use server';

import { jsonField } from '@/lib/actions/define-action';
import { retryPushAction, type RetryPushResult } from '@/lib/actions/retry-push.impl';
import { currentPrincipal } from '@/lib/auth/session';
import { requestMeta } from '@/lib/request-meta';

export type { RetryPushResult };

export async function retryPush(
  _prev: RetryPushResult,
  formData: FormData,
): Promise<RetryPushResult> {
  return retryPushAction(await currentPrincipal(), jsonField(formData), await requestMeta());
}
