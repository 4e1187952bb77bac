import 'server-only';
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { hashPassword } from '@/lib/auth/password';
import { recordAudit } from '@/lib/db/audit';
import type { InvitationDoc } from '@/lib/db/collections';
import { claimInvitation, findInvitationByToken } from '@/lib/db/invitations';
import { findUserByEmail, insertUser } from '@/lib/db/users';
import type { RequestMeta } from '@/lib/request-meta';
import type { acceptInvitationSchema } from '@/lib/schemas/users';

export type InvitationState =
  { usable: true; invitation: InvitationDoc } | { usable: false; reason: string };

/** What a link stands for, worded for the person who opened it. */
export async function checkInvitation(token: string): Promise<InvitationState> {
  const invitation = await findInvitationByToken(token);
  if (!invitation) {
    return {
      usable: false,
      reason: 'This invitation link is not valid. Check that you copied all of it.',
    };
  }
  if (invitation.acceptedAt) {
    return {
      usable: false,
      reason: 'This invitation was already used. Sign in with the password you chose.',
    };
  }
  if (invitation.revokedAt) {
    return {
      usable: false,
      reason: 'This invitation was withdrawn. Ask your admin for a new one.',
    };
  }
  if (invitation.expiresAt.getTime() <= Date.now()) {
    return { usable: false, reason: 'This invitation has expired. Ask your admin for a new one.' };
  }
  return { usable: true, invitation };
}

export type AcceptOutcome = { ok: true; email: string } | { ok: false; message: string };

/**
 * Creates the invited person's account. The link works once: claiming it is a conditional
 * update, so of two acceptances racing with the same link exactly one creates an account.
 */
export async function acceptInvitation(
  input: z.output<typeof acceptInvitationSchema>,
  meta: RequestMeta,
): Promise<AcceptOutcome> {
  const state = await checkInvitation(input.token);
  if (!state.usable) return { ok: false, message: state.reason };
  const { invitation } = state;
  if (await findUserByEmail(invitation.email)) {
    return { ok: false, message: 'This email already has an account. Sign in instead.' };
  }
  const passwordHash = await hashPassword(input.password);
  if (!(await claimInvitation(invitation._id))) {
    return { ok: false, message: 'This invitation was just used or withdrawn.' };
  }
  const userId = `u_${randomBytes(9).toString('base64url')}`;
  const created = await insertUser({
    _id: userId,
    email: invitation.email,
    name: input.name,
    role: invitation.role,
    tenantId: invitation.tenantId,
    passwordHash,
    disabled: false,
    sessionVersion: 1,
    createdAt: new Date(),
  });
  if (!created)
    return { ok: false, message: 'This email already has an account. Sign in instead.' };
  await recordAudit({
    action: 'invitation.accepted',
    actor: { kind: 'user', id: userId, name: invitation.email },
    tenantId: invitation.tenantId,
    summary: `${invitation.email} accepted the invitation as ${invitation.role}`,
    details: { invitationId: invitation._id, role: invitation.role },
    meta,
  });
  return { ok: true, email: invitation.email };
}
