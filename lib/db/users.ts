import 'server-only';
import { collections, type UserDoc } from '@/lib/db/collections';
import { insertIfMissing } from '@/lib/db/config-versions';

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

/** Disabling bumps the session version, so open sessions stop working at their next request. */
export async function setUserDisabled({
  id,
  disabled,
}: {
  id: string;
  disabled: boolean;
}): Promise<void> {
  const c = await collections();
  await c.users.updateOne({ _id: id }, { $set: { disabled }, $inc: { sessionVersion: 1 } });
}

/**
 * Ends every open session of the user: sessions are sealed cookies, so a copy of one would
 * otherwise stay valid until it expires even after the browser dropped it.
 */
export async function revokeUserSessions({ id }: { id: string }): Promise<void> {
  const c = await collections();
  await c.users.updateOne({ _id: id }, { $inc: { sessionVersion: 1 } });
}

export async function upsertUser(user: UserDoc): Promise<void> {
  const c = await collections();
  await c.users.replaceOne({ _id: user._id }, user, { upsert: true });
}

/** Adds a user; false when the email already has an account (emails are unique). */
export async function insertUser(user: UserDoc): Promise<boolean> {
  const c = await collections();
  return insertIfMissing(() => c.users.insertOne(user));
}

export async function setUserRole({ id, role }: { id: string; role: UserDoc['role'] }) {
  const c = await collections();
  await c.users.updateOne({ _id: id }, { $set: { role } });
}

/** Enabled admins of a tenant: the last one may be neither demoted nor disabled. */
export async function countEnabledAdmins(tenantId: string): Promise<number> {
  const c = await collections();
  return c.users.countDocuments({ tenantId, role: 'admin', disabled: false });
}

export async function setPasswordHash({ id, passwordHash }: { id: string; passwordHash: string }) {
  const c = await collections();
  await c.users.updateOne({ _id: id }, { $set: { passwordHash } });
}
