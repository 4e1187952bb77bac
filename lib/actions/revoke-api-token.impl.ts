import 'server-only';
import { defineAction } from '@/lib/actions/define-action';
import { requireOwnTenant } from '@/lib/auth/authorize';
import { revokeApiToken } from '@/lib/db/api-tokens';
import { actorOf, recordAudit } from '@/lib/db/audit';
import { revokeApiTokenSchema } from '@/lib/schemas/api-token';

export const revokeApiTokenAction = defineAction(
  { name: 'revokeApiToken', permission: 'tokens:manage', schema: revokeApiTokenSchema },
  async ({ tokenId }, { principal, meta }) => {
    // Scoped to the caller's tenant: another tenant's token id is "not found", like an unknown one.
    const tenantId = requireOwnTenant(principal);
    const { token, alreadyRevoked } = await revokeApiToken({ tenantId, tokenId });
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
      status: 'ok' as const,
      data: { tokenId: token._id },
      message: alreadyRevoked
        ? `Token “${token.name}” was already revoked.`
        : `Token “${token.name}” revoked. Requests that use it are now refused.`,
    };
  },
);
