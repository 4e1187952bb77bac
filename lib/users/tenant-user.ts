import 'server-only';
import { requireOwnTenant } from '@/lib/auth/authorize';
import type { Principal } from '@/lib/auth/principal';
import type { UserDoc } from '@/lib/db/collections';
import { countEnabledAdmins, findUserById } from '@/lib/db/users';
import { NotFoundError } from '@/lib/errors';

/** A user of the caller's own tenant; anyone else is "not found", so ids cannot be probed. */
export async function getTenantUserOrThrow(principal: Principal, userId: string): Promise<UserDoc> {
  const tenantId = requireOwnTenant(principal);
  const user = await findUserById(userId);
  if (!user || user.tenantId !== tenantId) throw new NotFoundError('User not found.');
  return user;
}

/**
 * Why a change would leave the tenant without an enabled admin, or null. Demoting or disabling
 * an enabled admin is refused when they are the only one: nobody could manage users any more.
 */
export async function lastAdminRefusal(
  user: UserDoc,
  change: 'demote' | 'disable',
): Promise<string | null> {
  if (user.role !== 'admin' || user.disabled || !user.tenantId) return null;
  if ((await countEnabledAdmins(user.tenantId)) > 1) return null;
  const what = change === 'demote' ? 'change their role' : 'disable them';
  return `${user.name} is the only admin of this organisation. Make someone else an admin before you ${what}.`;
}
