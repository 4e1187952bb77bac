'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/actions/define-action';
import { requireOwnTenant } from '@/lib/auth/authorize';
import { revokeApiToken as markRevoked } from '@/lib/db/api-tokens';
import { actorOf, recordAudit } from '@/lib/db/audit';
import type { ActionResult } from '@/lib/results';
import { revokeApiTokenSchema } from '@/lib/schemas/api-token';

export type RevokeApiTokenResult = ActionResult<{ tokenId: string }>;

export const revokeApiToken = defineAction(
  {
    name: 'revokeApiToken',
    permission: 'tokens:manage',
    schema: revokeApiTokenSchema,
    fromForm: (formData) => ({ tokenId: formData.get('tokenId') }),
    onSuccess: () => revalidatePath('/tokens'),
  },
  async ({ tokenId }, { principal, meta }): Promise<RevokeApiTokenResult> => {
    // Scoped to the caller's tenant: another tenant's token id is "not found", like an unknown one.
    const tenantId = requireOwnTenant(principal);
    const { token, alreadyRevoked } = await markRevoked({ tenantId, tokenId });
    if (!alreadyRevoked) {
      await recordAudit({
        action: 'token.revoked',
        actor: actorOf(principal),
        tenantId,
        summary: `Revoked API token “${token.name}”`,
        details: { tokenId: token._id, name: token.name, scope: token.scope, prefix: token.prefix },
        meta,
      });
    }
    return {
      status: 'ok',
      data: { tokenId: token._id },
      message: alreadyRevoked
        ? `Token “${token.name}” was already revoked.`
        : `Token “${token.name}” revoked. Requests that use it are now refused.`,
    };
  },
);
