'use server';

import { revalidatePath } from 'next/cache';
import { defineAction, formFields } from '@/lib/actions/define-action';
import { requireOwnTenant } from '@/lib/auth/authorize';
import { revokeInvitation as revoke } from '@/lib/db/invitations';
import { NotFoundError } from '@/lib/errors';
import { ok } from '@/lib/results';
import { revokeInvitationSchema } from '@/lib/schemas/users';

export const revokeInvitation = defineAction(
  {
    name: 'revokeInvitation',
    permission: 'users:manage',
    schema: revokeInvitationSchema,
    fromForm: formFields('invitationId'),
    onSuccess: () => revalidatePath('/users'),
  },
  async ({ invitationId }, { principal, audit }) => {
    const tenantId = requireOwnTenant(principal);
    // Another tenant's, used or already revoked: all "not found" (nothing pending by that id).
    if (!(await revoke(invitationId, tenantId))) {
      throw new NotFoundError('No pending invitation by that id.');
    }
    await audit({
      action: 'invitation.revoked',
      tenantId,
      summary: 'Revoked an invitation',
      details: { invitationId },
    });
    return ok({ invitationId }, 'Invitation revoked: its link no longer works.');
  },
);
