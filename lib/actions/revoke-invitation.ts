'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/actions/define-action';
import { requireOwnTenant } from '@/lib/auth/authorize';
import { actorOf, recordAudit } from '@/lib/db/audit';
import { revokeInvitation as revoke } from '@/lib/db/invitations';
import { NotFoundError } from '@/lib/errors';
import type { ActionResult } from '@/lib/results';
import { revokeInvitationSchema } from '@/lib/schemas/users';

export type RevokeInvitationResult = ActionResult<{ invitationId: string }>;

export const revokeInvitation = defineAction(
  {
    name: 'revokeInvitation',
    permission: 'users:manage',
    schema: revokeInvitationSchema,
    fromForm: (formData) => ({ invitationId: formData.get('invitationId') }),
    onSuccess: () => revalidatePath('/users'),
  },
  async ({ invitationId }, { principal, meta }): Promise<RevokeInvitationResult> => {
    const tenantId = requireOwnTenant(principal);
    // Another tenant's, used or already revoked: all "not found" (nothing pending by that id).
    if (!(await revoke(invitationId, tenantId))) {
      throw new NotFoundError('No pending invitation by that id.');
    }
    await recordAudit({
      action: 'invitation.revoked',
      actor: actorOf(principal),
      tenantId,
      summary: 'Revoked an invitation',
      details: { invitationId },
      meta,
    });
    return {
      status: 'ok',
      data: { invitationId },
      message: 'Invitation revoked: its link no longer works.',
    };
  },
);
