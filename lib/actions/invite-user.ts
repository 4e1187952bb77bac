'use server';

import { revalidatePath } from 'next/cache';
import { defineAction, formFields } from '@/lib/actions/define-action';
import { requireOwnTenant } from '@/lib/auth/authorize';
import { authorFromPrincipal } from '@/lib/db/config-versions';
import { createInvitation } from '@/lib/db/invitations';
import { findUserByEmail } from '@/lib/db/users';
import { fieldInvalid, ok } from '@/lib/results';
import { INVITATION_TTL_HOURS, inviteUserSchema, tenantRoleLabels } from '@/lib/schemas/users';

export interface NewInvitation {
  invitationId: string;
  email: string;
  /** Path of the one-time link (`/invite/inv_…`); shown once, only its hash is stored. */
  path: string;
  expiresAt: Date;
}
/**
 * Invites a person into the caller's own tenant. Propagate sends no mail: the link is returned
 * once, for the admin to pass on, like an API token.
 */
export const inviteUser = defineAction(
  {
    name: 'inviteUser',
    permission: 'users:manage',
    schema: inviteUserSchema,
    fromForm: formFields('email', 'role'),
    onSuccess: () => revalidatePath('/users'),
  },
  async ({ email, role }, { principal, audit }) => {
    const tenantId = requireOwnTenant(principal);
    if (await findUserByEmail(email)) {
      return fieldInvalid('email', 'This email already has a Propagate account.');
    }
    const { invitation, token } = await createInvitation({
      tenantId,
      email,
      role,
      createdBy: authorFromPrincipal(principal),
      ttlHours: INVITATION_TTL_HOURS,
    });
    await audit({
      action: 'user.invited',
      tenantId,
      summary: `Invited ${email} as ${tenantRoleLabels[role].toLowerCase()}`,
      details: { invitationId: invitation._id, email, role },
    });
    return ok(
      {
        invitationId: invitation._id,
        email,
        path: `/invite/${token}`,
        expiresAt: invitation.expiresAt,
      },
      `Invitation for ${email} created. Copy the link now: you won’t be able to see it again.`,
    );
  },
);
