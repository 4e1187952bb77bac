'use server';

import { revalidatePath } from 'next/cache';
import { defineAction, formFields } from '@/lib/actions/define-action';
import { requireOwnTenant } from '@/lib/auth/authorize';
import { revokeApiToken as markRevoked } from '@/lib/db/api-tokens';
import { ok } from '@/lib/results';
import { revokeApiTokenSchema } from '@/lib/schemas/api-token';

export const revokeApiToken = defineAction(
  {
    name: 'revokeApiToken',
    permission: 'tokens:manage',
    schema: revokeApiTokenSchema,
    fromForm: formFields('tokenId'),
    onSuccess: () => revalidatePath('/tokens'),
  },
  async ({ tokenId }, { principal, audit }) => {
    // Scoped to the caller's tenant: another tenant's token id is "not found", like an unknown one.
    const tenantId = requireOwnTenant(principal);
    const { token, alreadyRevoked } = await markRevoked({ tenantId, tokenId });
    if (!alreadyRevoked) {
      await audit({
        action: 'token.revoked',
        tenantId,
        summary: `Revoked API token “${token.name}”`,
        details: { tokenId: token._id, name: token.name, scope: token.scope, prefix: token.prefix },
      });
    }
    return ok(
      { tokenId: token._id },
      alreadyRevoked
        ? `Token “${token.name}” was already revoked.`
        : `Token “${token.name}” revoked. Requests that use it are now refused.`,
    );
  },
);
