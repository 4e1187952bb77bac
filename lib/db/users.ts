import 'server-only';
import { collections, type UserDoc } from '@/lib/db/collections';

export async function findUserById(id: string): Promise<UserDoc | null> {
  const c = await collections();
  return c.users.findOne({ _id: id });
}

export async function findUserByEmail(email: string): Promise<UserDoc | null> {
  const c = await collections();
  return c.users.findOne({ email: email.trim().toLowerCase() });
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
