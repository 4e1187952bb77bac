import 'server-only';
import { randomBytes } from 'node:crypto';
import { authChanged } from '@/lib/db/auth-changes';
import { collections } from '@/lib/db/collections';
import type { RequestMeta } from '@/lib/request-meta';

/** Records a signed-in browser; the cookie carries the returned id. */
export async function createSession({
  userId,
  ttlSeconds,
  meta,
}: {
  userId: string;
  ttlSeconds: number;
  meta: RequestMeta;
}): Promise<string> {
  const c = await collections();
  const now = new Date();
  const id = randomBytes(18).toString('base64url');
  await c.sessions.insertOne({
    _id: id,
    userId,
    createdAt: now,
    expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
    userAgent: meta.userAgent?.slice(0, 300) ?? null,
    ip: meta.ip,
  });
  return id;
}

/** Whether this browser's session still exists for this user and has not expired. */
export async function isSessionLive(id: string, userId: string): Promise<boolean> {
  const c = await collections();
  const found = await c.sessions.findOne(
    { _id: id, userId, expiresAt: { $gt: new Date() } },
    { projection: { _id: 1 } },
  );
  return found !== null;
}

export async function endSession(id: string): Promise<void> {
  const c = await collections();
  await c.sessions.deleteOne({ _id: id });
  await authChanged({ kind: 'session', id });
}

/** Ends every session of the user, or every one but `except` (the browser asking). */
export async function endUserSessions(userId: string, except?: string): Promise<void> {
  const c = await collections();
  await c.sessions.deleteMany(except ? { userId, _id: { $ne: except } } : { userId });
  await authChanged({ kind: 'user', id: userId });
}

/** Active (unexpired) sessions per user, for the Users page: one aggregation for the page. */
export async function countLiveSessions(userIds: readonly string[]): Promise<Map<string, number>> {
  if (userIds.length === 0) return new Map();
  const c = await collections();
  const rows = await c.sessions
    .aggregate<{ _id: string; count: number }>([
      { $match: { userId: { $in: [...userIds] }, expiresAt: { $gt: new Date() } } },
      { $group: { _id: '$userId', count: { $sum: 1 } } },
    ])
    .toArray();
  return new Map(rows.map((r) => [r._id, r.count]));
}
