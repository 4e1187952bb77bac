import 'server-only';
import { requireOwnTenant } from '@/lib/auth/authorize';
import type { Principal } from '@/lib/auth/principal';
import type { UserDoc } from '@/lib/db/collections';
import { changeTenantUser, type UserState } from '@/lib/db/tenant-admins';
import { findUserById } from '@/lib/db/users';
import { NotFoundError } from '@/lib/errors';

export type TenantUser = UserDoc & { tenantId: string };

/** A user of the caller's own tenant; anyone else is "not found", so ids cannot be probed. */
export async function getTenantUserOrThrow(
  principal: Principal,
  userId: string,
): Promise<TenantUser> {
  const tenantId = requireOwnTenant(principal);
  const user = await findUserById(userId);
  if (!user || user.tenantId !== tenantId) throw new NotFoundError('User not found.');
  return { ...user, tenantId };
}

/**
 * Writes a role change or (re-)enabling through the last-admin guard. Returns why it was
 * refused in words for the admin, or null once written. The guard and the write are one
 * compare-and-set, so two admins demoting each other at once cannot leave the tenant with none.
 */
export async function applyUserChange(user: TenantUser, to: UserState): Promise<string | null> {
  const change = await changeTenantUser({
    userId: user._id,
    tenantId: user.tenantId,
    from: { role: user.role, disabled: user.disabled },
    to,
  });
  if (change.status === 'changed') return null;
  if (change.status === 'stale') {
    return `${user.name} was changed by someone else a moment ago. Reload the page and try again.`;
  }
  const what = to.role !== user.role ? 'change their role' : 'disable them';
  return `${user.name} is the only admin of this organisation. Make someone else an admin before you ${what}.`;
}
