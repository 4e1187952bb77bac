'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/actions/define-action';
import { requireOwnTenant } from '@/lib/auth/authorize';
import { actorOf, recordAudit } from '@/lib/db/audit';
import { authorFromPrincipal } from '@/lib/db/config-versions';
import { createInvitation } from '@/lib/db/invitations';
import { findUserByEmail } from '@/lib/db/users';
import type { ActionResult } from '@/lib/results';
import { INVITATION_TTL_HOURS, inviteUserSchema, tenantRoleLabels } from '@/lib/schemas/users';

export interface NewInvitation {
  invitationId: string;
  email: string;
  /** Path of the one-time link (`/invite/inv_…`); shown once, only its hash is stored. */
  path: string;
  expiresAt: Date;
}
export type InviteUserResult = ActionResult<NewInvitation>;

/**
 * Invites a person into the caller's own tenant. Propagate sends no mail: the link is returned
 * once, for the admin to pass on, like an API token.
 */
export const inviteUser = defineAction(
  {
    name: 'inviteUser',
    permission: 'users:manage',
    schema: inviteUserSchema,
    fromForm: (formData) => ({ email: formData.get('email'), role: formData.get('role') }),
    onSuccess: () => revalidatePath('/users'),
  },
  async ({ email, role }, { principal, meta }): Promise<InviteUserResult> => {
    const tenantId = requireOwnTenant(principal);
    if (await findUserByEmail(email)) {
      const taken = 'This email already has a Propagate account.';
      return { status: 'invalid', fieldErrors: { email: [taken] }, message: taken };
    }
    const { invitation, token } = await createInvitation({
      tenantId,
      email,
      role,
      createdBy: authorFromPrincipal(principal),
      ttlHours: INVITATION_TTL_HOURS,
    });
    await recordAudit({
      action: 'user.invited',
      actor: actorOf(principal),
      tenantId,
      summary: `Invited ${email} as ${tenantRoleLabels[role].toLowerCase()}`,
      details: { invitationId: invitation._id, email, role },
      meta,
    });
    return {
      status: 'ok',
      data: {
        invitationId: invitation._id,
        email,
        path: `/invite/${token}`,
        expiresAt: invitation.expiresAt,
      },
      message: `Invitation for ${email} created. Copy the link now: you won’t be able to see it again.`,
    };
  },
);
