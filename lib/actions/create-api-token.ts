'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/actions/define-action';
import { requireOwnTenant } from '@/lib/auth/authorize';
import { createApiToken as insertApiToken, type ApiTokenSummary } from '@/lib/db/api-tokens';
import { actorOf, recordAudit } from '@/lib/db/audit';
import { authorFromPrincipal } from '@/lib/db/config-versions';
import type { ActionResult } from '@/lib/results';
import { createApiTokenSchema, tokenScopeLabels } from '@/lib/schemas/api-token';

export type CreateApiTokenResult = ActionResult<{ token: ApiTokenSummary; secret: string }>;

export const createApiToken = defineAction(
  {
    name: 'createApiToken',
    permission: 'tokens:manage',
    schema: createApiTokenSchema,
    // Plain form fields (not a JSON payload) so the form also works before JavaScript has loaded.
    fromForm: (formData) => ({ name: formData.get('name'), scope: formData.get('scope') }),
    onSuccess: () => revalidatePath('/tokens'),
  },
  async ({ name, scope }, { principal, meta }): Promise<CreateApiTokenResult> => {
    const tenantId = requireOwnTenant(principal);
    const { token, secret } = await insertApiToken({
      tenantId,
      name,
      scope,
      createdBy: authorFromPrincipal(principal),
    });
    await recordAudit({
      action: 'token.created',
      actor: actorOf(principal),
      tenantId,
      summary: `Created API token “${name}” (${tokenScopeLabels[scope].toLowerCase()})`,
      details: { tokenId: token._id, name, scope, prefix: token.prefix },
      meta,
    });
    return {
      status: 'ok',
      data: { token, secret },
      message: `Token “${name}” created. Copy it now: you won’t be able to see it again.`,
    };
  },
);
