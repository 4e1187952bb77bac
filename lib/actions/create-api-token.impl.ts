import 'server-only';
import { defineAction } from '@/lib/actions/define-action';
import { requireOwnTenant } from '@/lib/auth/authorize';
import { createApiToken, type ApiTokenSummary } from '@/lib/db/api-tokens';
import { actorOf, recordAudit } from '@/lib/db/audit';
import { authorFromPrincipal } from '@/lib/db/config-versions';
import { createApiTokenSchema, tokenScopeLabels } from '@/lib/schemas/api-token';

export const createApiTokenAction = defineAction(
  { name: 'createApiToken', permission: 'tokens:manage', schema: createApiTokenSchema },
  async ({ name, scope }, { principal, meta }) => {
    const tenantId = requireOwnTenant(principal);
    const { token, secret } = await createApiToken({
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
      status: 'ok' as const,
      data: { token, secret } satisfies { token: ApiTokenSummary; secret: string },
      message: `Token “${name}” created. Copy it now: you won’t be able to see it again.`,
    };
  },
);
