'use server';

import { revalidatePath } from 'next/cache';
import { defineAction, formFields } from '@/lib/actions/define-action';
import { requireOwnTenant } from '@/lib/auth/authorize';
import {
  createApiToken as insertApiToken,
  revokeApiToken as markRevoked,
} from '@/lib/db/api-tokens';
import { authorFromPrincipal } from '@/lib/db/config-versions';
import { ok } from '@/lib/results';
import { createApiTokenSchema, tokenScopeLabels } from '@/lib/schemas/api-token';
import { errorFields, log } from '@/lib/log';

export const createApiToken = defineAction(
  {
    name: 'createApiToken',
    permission: 'tokens:manage',
    schema: createApiTokenSchema,
    // Plain form fields (not a JSON payload) so the form also works before JavaScript has loaded.
    fromForm: formFields('name', 'scope'),
    onSuccess: () => revalidatePath('/tokens'),
  },
  async ({ name, scope }, { principal, audit }) => {
    const tenantId = requireOwnTenant(principal);
    const { token, secret } = await insertApiToken({
      tenantId,
      name,
      scope,
      createdBy: authorFromPrincipal(principal),
    });
    try {
      await audit({
        action: 'token.created',
        tenantId,
        summary: `Created API token “${name}” (${tokenScopeLabels[scope].toLowerCase()})`,
        details: { tokenId: token._id, name, scope, prefix: token.prefix },
      });
    } catch (error) {
      // A token nobody can trace must not live: revoke it, and say what is true.
      log.error({ ...errorFields(error) }, 'audit write failed; revoking the new API token');
      const revoked = await markRevoked({ tenantId, tokenId: token._id }).then(
        () => true,
        () => false,
      );
      return {
        status: 'error',
        code: 'internal',
        message: revoked
          ? `The token was not created: the audit log could not record it, so it was revoked at once and nothing can use it. Please try again.`
          : `Token “${name}” was stored but neither recorded in the audit log nor revoked. Revoke it in the list below before anything else.`,
      };
    }
    return ok(
      { token, secret },
      `Token “${name}” created. Copy it now: you won’t be able to see it again.`,
    );
  },
);
