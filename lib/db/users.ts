import 'server-only';
import { authChanged } from '@/lib/db/auth-changes';
import { collections, type UserDoc } from '@/lib/db/collections';
import { insertIfMissing } from '@/lib/db/config-versions';
import { adjustAdminCount, ensureAdminCount } from '@/lib/db/tenant-admins';

export async function findUserById(id: string): Promise<UserDoc | null> {
  const c = await collections();
  return c.users.findOne({ _id: id });
}

export async function findUserByEmail(email: string): Promise<UserDoc | null> {
  const c = await collections();
  return c.users.findOne({ email: email.trim().toLowerCase() });
}

export async function recordSignIn(id: string): Promise<void> {
  const c = await collections();
  await c.users.updateOne({ _id: id }, { $set: { lastSignInAt: new Date() } });
}

export async function listUsers({ tenantId }: { tenantId?: string }): Promise<UserDoc[]> {
  const c = await collections();
  return c.users
    .find(tenantId ? { tenantId } : {})
    .sort({ email: 1 })
    .toArray();
}

/**
 * Ends every open session of the user: sessions are sealed cookies, so a copy of one would
 * otherwise stay valid until it expires even after the browser dropped it.
 */
export async function revokeUserSessions({ id }: { id: string }): Promise<void> {
  const c = await collections();
  await c.users.updateOne({ _id: id }, { $inc: { sessionVersion: 1 } });
  await authChanged({ kind: 'user', id });
}

const adminOf = (user: Pick<UserDoc, 'role' | 'disabled' | 'tenantId'> | null) =>
  user && user.role === 'admin' && !user.disabled ? user.tenantId : null;

/**
 * Writes a user as given, for the demo seed and test fixtures only: it keeps the last-admin
 * counter in step but is not guarded (people change users through changeTenantUser).
 */
export async function upsertUser(user: UserDoc): Promise<void> {
  const c = await collections();
  const before = await c.users.findOneAndReplace({ _id: user._id }, user, {
    upsert: true,
    returnDocument: 'before',
  });
  await authChanged({ kind: 'user', id: user._id });
  const [was, is] = [adminOf(before), adminOf(user)];
  if (was === is) return;
  if (was) await adjustAdminCount(was, -1);
  if (is) await adjustAdminCount(is, 1);
}

/** Adds a user; false when the email already has an account (emails are unique). */
export async function insertUser(user: UserDoc): Promise<boolean> {
  const c = await collections();
  const tenantId = adminOf(user);
  if (tenantId) await ensureAdminCount(tenantId);
  const inserted = await insertIfMissing(() => c.users.insertOne(user));
  if (inserted && tenantId) await adjustAdminCount(tenantId, 1);
  return inserted;
}

export async function setPasswordHash({ id, passwordHash }: { id: string; passwordHash: string }) {
  const c = await collections();
  await c.users.updateOne({ _id: id }, { $set: { passwordHash } });
}
