import 'server-only';
import { getIronSession, webCookies, type SessionOptions } from 'iron-session';
import { cookies } from 'next/headers';
import { env } from '@/lib/env';
import { userPrincipal, type Principal } from '@/lib/auth/principal';
import { cachedPrincipal } from '@/lib/session/auth-cache';
import { createSession, isSessionLive } from '@/lib/db/sessions';
import { findUserById } from '@/lib/db/users';
import type { RequestMeta } from '@/lib/request-meta';
import { log } from '@/lib/log';

export interface SessionData {
  userId?: string;
  /** Must equal the user's current sessionVersion: bumping it revokes every session. */
  sessionVersion?: number;
  signedInAt?: number;
  /** This browser's session record (lib/db/sessions): deleting it signs out this browser only. */
  sessionId?: string;
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
    if (reason !== 'expired') log.warn({ reason }, 'session cookie refused');
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
export async function principalFromRequestCookie(
  request: Request,
  { cached = false }: { cached?: boolean } = {},
): Promise<Principal | null> {
  const session = await getIronSession<SessionData>(
    webCookies(request, new Headers()),
    sessionOptions,
  );
  const { userId, sessionId, sessionVersion } = session;
  if (!cached || !userId || !sessionId) return principalForSession(session);
  // The seal was just verified; what MongoDB says of its user and session may be kept briefly.
  return cachedPrincipal(`session:${sessionId}:${userId}:${sessionVersion}`, async () => {
    const principal = await principalForSession(session);
    return principal
      ? {
          principal,
          subjects: [
            { kind: 'user', id: userId },
            { kind: 'session', id: sessionId },
          ],
        }
      : null;
  });
}

/**
 * Two checks at every request: the user (disabled, or every session revoked by a bumped
 * sessionVersion) and this browser's own session record (signed out here, or expired).
 */
export async function principalForSession(session: SessionData): Promise<Principal | null> {
  if (!session.userId || !session.sessionId) return null;
  const [user, live] = await Promise.all([
    findUserById(session.userId),
    isSessionLive(session.sessionId, session.userId),
  ]);
  if (!user || !live || user.disabled || user.sessionVersion !== session.sessionVersion) {
    return null;
  }
  return { ...userPrincipal(user), sessionId: session.sessionId };
}

/** Writes a new session for the user into the given iron-session (sign-in, tests). */
export async function startSession(
  session: SessionData & { save: () => Promise<void> },
  user: { id: string; sessionVersion: number },
  meta: RequestMeta,
): Promise<void> {
  session.userId = user.id;
  session.sessionVersion = user.sessionVersion;
  session.signedInAt = Date.now();
  session.sessionId = await createSession({
    userId: user.id,
    ttlSeconds: SESSION_TTL_SECONDS,
    meta,
  });
  await session.save();
}
