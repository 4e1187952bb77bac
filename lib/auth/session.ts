import 'server-only';
import { getIronSession, type SessionOptions } from 'iron-session';
import { cookies } from 'next/headers';
import { env } from '@/lib/env';
import { userPrincipal, type Principal } from '@/lib/auth/principal';
import { findUserById } from '@/lib/db/users';

export interface SessionData {
  userId?: string;
  /** Must equal the user's current sessionVersion: bumping it revokes every session. */
  sessionVersion?: number;
  signedInAt?: number;
}

export const SESSION_TTL_SECONDS = 8 * 60 * 60;

const options: SessionOptions = {
  cookieName: 'propagate_session',
  password: env.SESSION_SECRET,
  ttl: SESSION_TTL_SECONDS,
  cookieOptions: {
    httpOnly: true,
    sameSite: 'lax',
    secure: env.NODE_ENV === 'production',
    path: '/',
  },
};

export async function getSession() {
  return getIronSession<SessionData>(await cookies(), options);
}

/** The signed-in user as a principal, or null. A disabled user or a revoked session is null. */
export async function currentPrincipal(): Promise<Principal | null> {
  const session = await getSession();
  return principalForSession(session);
}

export async function principalForSession(session: SessionData): Promise<Principal | null> {
  if (!session.userId) return null;
  const user = await findUserById(session.userId);
  if (!user || user.disabled || user.sessionVersion !== session.sessionVersion) return null;
  return userPrincipal(user);
}
