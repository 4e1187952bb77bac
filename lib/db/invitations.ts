import 'server-only';
import { randomBytes } from 'node:crypto';
import { hashToken } from '@/lib/auth/api-token';
import { collections, type Author, type InvitationDoc } from '@/lib/db/collections';
import type { TenantRole } from '@/lib/schemas/users';

/** `inv_` + 32 random bytes: the link's secret. Only its sha256 is stored. */
export function generateInvitationToken(): { token: string; hash: string } {
  const token = `inv_${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashToken(token) };
}

export async function createInvitation(input: {
  tenantId: string;
  email: string;
  role: TenantRole;
  createdBy: Author;
  ttlHours: number;
}): Promise<{ invitation: InvitationDoc; token: string }> {
  const c = await collections();
  const { token, hash } = generateInvitationToken();
  const now = new Date();
  const invitation: InvitationDoc = {
    _id: randomBytes(9).toString('base64url'),
    tenantId: input.tenantId,
    email: input.email,
    role: input.role,
    tokenHash: hash,
    createdBy: input.createdBy,
    createdAt: now,
    expiresAt: new Date(now.getTime() + input.ttlHours * 3_600_000),
    acceptedAt: null,
    revokedAt: null,
  };
  await c.invitations.insertOne(invitation);
  return { invitation, token };
}

/** The tenant's invitations, newest first (a bounded list: pending and the recent past). */
export async function listInvitations(tenantId: string, limit = 100): Promise<InvitationDoc[]> {
  const c = await collections();
  return c.invitations
    .find({ tenantId }, { projection: { tokenHash: 0 } })
    .sort({ createdAt: -1 })
    .limit(limit)
    .toArray();
}

export async function findInvitationByToken(token: string): Promise<InvitationDoc | null> {
  const c = await collections();
  return c.invitations.findOne({ tokenHash: hashToken(token) });
}

/** Pending invitations only; false when it was accepted, revoked or is another tenant's. */
export async function revokeInvitation(id: string, tenantId: string): Promise<boolean> {
  const c = await collections();
  const result = await c.invitations.updateOne(
    { _id: id, tenantId, acceptedAt: null, revokedAt: null },
    { $set: { revokedAt: new Date() } },
  );
  return result.modifiedCount === 1;
}

/**
 * Marks the invitation used. Conditional on it still being pending and unexpired, so of two
 * acceptances racing with the same link exactly one wins.
 */
export async function claimInvitation(id: string): Promise<boolean> {
  const c = await collections();
  const now = new Date();
  const result = await c.invitations.updateOne(
    { _id: id, acceptedAt: null, revokedAt: null, expiresAt: { $gt: now } },
    { $set: { acceptedAt: now } },
  );
  return result.modifiedCount === 1;
}
