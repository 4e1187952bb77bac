import 'server-only';
import { authChanged } from '@/lib/db/auth-changes';
import { collections, type UserDoc } from '@/lib/db/collections';
import { insertIfMissing } from '@/lib/db/config-versions';
import { adjustAdminCount, ensureAdminCount } from '@/lib/db/tenant-admins';
import { containsText } from '@/lib/db/text-search';

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

export interface UsersPage {
  users: UserDoc[];
  total: number;
  page: number;
  pageCount: number;
}

/**
 * One page of users by email, within a tenant or (for support) across all, searched by email or
 * name. A count and a page: the cost does not grow with the number of users.
 */
export async function searchUsersPage({
  tenantId,
  query = '',
  page = 1,
  pageSize = 25,
}: {
  tenantId?: string;
  query?: string;
  page?: number;
  pageSize?: number;
}): Promise<UsersPage> {
  const c = await collections();
  const search = query.trim();
  const filter = {
    ...(tenantId ? { tenantId } : {}),
    ...(search ? { $or: [{ email: containsText(search) }, { name: containsText(search) }] } : {}),
  };
  const total = await c.users.countDocuments(filter);
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const current = Math.min(Math.max(1, Math.floor(page)), pageCount);
  const users = await c.users
    .find(filter, { projection: { passwordHash: 0 } })
    .sort({ email: 1 })
    .skip((current - 1) * pageSize)
    .limit(pageSize)
    .toArray();
  return { users, total, page: current, pageCount };
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
