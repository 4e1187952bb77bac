import 'server-only';
import { getIronSession, webCookies, type SessionOptions } from 'iron-session';
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

export const SESSION_COOKIE = 'propagate_session';

export const sessionOptions: SessionOptions = {
  cookieName: SESSION_COOKIE,
  password: env.SESSION_SECRET,
  // Absolute lifetime: the seal carries its expiry and the session is never re-saved after sign-in.
  ttl: SESSION_TTL_SECONDS,
  cookieOptions: {
    httpOnly: true,
    sameSite: 'lax',
    secure: env.NODE_ENV === 'production',
    path: '/',
  },
  // An expired seal is how sessions end; anything else may be tampering or a bad secret rotation.
  onUnsealError: (reason) => {
    if (reason !== 'expired') console.warn(`[session] cookie refused: ${reason}`);
  },
};

export async function getSession() {
  return getIronSession<SessionData>(await cookies(), sessionOptions);
}

/** The signed-in user as a principal, or null. A disabled user or a revoked session is null. */
export async function currentPrincipal(): Promise<Principal | null> {
  const session = await getSession();
  return principalForSession(session);
}

/**
 * The same check for route handlers, read from the request's own Cookie header: no request-scoped
 * store is needed, so routes can be exercised with a plain `Request` in tests.
 */
export async function principalFromRequestCookie(request: Request): Promise<Principal | null> {
  const session = await getIronSession<SessionData>(
    webCookies(request, new Headers()),
    sessionOptions,
  );
  return principalForSession(session);
}

export async function principalForSession(session: SessionData): Promise<Principal | null> {
  if (!session.userId) return null;
  const user = await findUserById(session.userId);
  if (!user || user.disabled || user.sessionVersion !== session.sessionVersion) return null;
  return userPrincipal(user);
}
