import 'server-only';
import { authChanged } from '@/lib/db/auth-changes';
import { collections, type UserDoc } from '@/lib/db/collections';
import { insertIfMissing } from '@/lib/db/config-versions';

/**
 * The last-admin guard, without transactions. Each tenant has a counter of its enabled admins
 * (`tenant_admins`) that never exceeds the true number: a change that takes an admin away
 * decrements it first, and only while it is at least 2 (one conditional update, so two admins
 * demoting each other at once cannot both pass); a change that adds one increments it after the
 * user is written. A crash between the two writes leaves the counter low, which only makes the
 * guard stricter; promoting someone raises it again.
 *
 * Every user write that can change the count goes through `changeTenantUser` (or `insertUser`
 * and `upsertUser` in lib/db/users.ts), as a compare-and-set on the state the caller read.
 */

export type UserState = Pick<UserDoc, 'role' | 'disabled'>;

const isEnabledAdmin = (s: UserState) => s.role === 'admin' && !s.disabled;

/**
 * Counts the tenant's enabled admins once, the first time the guard needs it. Every change
 * calls this before writing a user, so no change can fall between the count and its insert.
 */
export async function ensureAdminCount(tenantId: string): Promise<void> {
  const c = await collections();
  if (await c.tenantAdmins.findOne({ _id: tenantId }, { projection: { _id: 1 } })) return;
  const enabledAdmins = await c.users.countDocuments({ tenantId, role: 'admin', disabled: false });
  await insertIfMissing(() => c.tenantAdmins.insertOne({ _id: tenantId, enabledAdmins }));
}

/** Applies +1/-1 to an existing counter (a missing one is counted from the users later). */
export async function adjustAdminCount(tenantId: string, by: 1 | -1): Promise<void> {
  const c = await collections();
  await c.tenantAdmins.updateOne({ _id: tenantId }, { $inc: { enabledAdmins: by } });
}

export type TenantUserChange =
  | { status: 'changed' }
  /** The user is the tenant's only enabled admin (as far as the counter can tell). */
  | { status: 'last_admin' }
  /** The user's role or state moved since it was read: nothing was written. */
  | { status: 'stale' };

/**
 * Changes a tenant user's role or disabled flag if they are still as `from` says. Taking away an
 * enabled admin is refused when the tenant would have none left. Disabling also bumps the
 * session version, so open sessions stop at their next request.
 */
export async function changeTenantUser(input: {
  userId: string;
  tenantId: string;
  from: UserState;
  to: UserState;
}): Promise<TenantUserChange> {
  const { userId, tenantId, from, to } = input;
  const c = await collections();
  await ensureAdminCount(tenantId);
  const removes = isEnabledAdmin(from) && !isEnabledAdmin(to);
  const adds = !isEnabledAdmin(from) && isEnabledAdmin(to);
  if (removes) {
    const reserved = await c.tenantAdmins.updateOne(
      { _id: tenantId, enabledAdmins: { $gte: 2 } },
      { $inc: { enabledAdmins: -1 } },
    );
    if (reserved.modifiedCount === 0) return { status: 'last_admin' };
  }
  const written = await c.users.updateOne(
    { _id: userId, tenantId, role: from.role, disabled: from.disabled },
    {
      $set: { role: to.role, disabled: to.disabled },
      ...(to.disabled !== from.disabled ? { $inc: { sessionVersion: 1 } } : {}),
    },
  );
  if (written.matchedCount === 0) {
    // Give back what was reserved: this change did not happen.
    if (removes) await adjustAdminCount(tenantId, 1);
    return { status: 'stale' };
  }
  if (adds) await adjustAdminCount(tenantId, 1);
  await authChanged({ kind: 'user', id: userId });
  return { status: 'changed' };
}

/** The counter's value, for tests and repairs; null before the guard first counted. */
export async function readAdminCount(tenantId: string): Promise<number | null> {
  const c = await collections();
  return (await c.tenantAdmins.findOne({ _id: tenantId }))?.enabledAdmins ?? null;
}
