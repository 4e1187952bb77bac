import 'server-only';
import { z } from 'zod';
import { userPrincipal, type Principal } from '@/lib/auth/principal';
import { dummyHash, verifyPassword } from '@/lib/auth/password';
import { reserveSignInAttempt, signInSucceeded } from '@/lib/session/sign-in-limiter';
import { recordAudit } from '@/lib/db/audit';
import { findUserByEmail, recordSignIn } from '@/lib/db/users';
import type { UserDoc } from '@/lib/db/collections';
import type { RequestMeta } from '@/lib/request-meta';

export const signInSchema = z.object({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .email('Enter your email address, like name@company.com.')
    .max(200),
  password: z.string().min(1, 'Enter your password.').max(200),
});

/** One answer for an unknown email and a wrong password: no account enumeration. */
export const INVALID_CREDENTIALS = 'That email and password do not match an account.';

export type SignInOutcome =
  | { ok: true; principal: Principal; sessionVersion: number }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'rate_limited'; retryAfterSeconds: number };

const retryAfterSeconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

export async function authenticate(
  input: z.output<typeof signInSchema>,
  meta: RequestMeta,
): Promise<SignInOutcome> {
  // Counted before the password is checked, so parallel guesses cannot outrun the count.
  const reservation = await reserveSignInAttempt(input.email, meta.ip);
  if (!reservation.ok) {
    // Once per account, IP and window: refusals must not turn into unbounded audit writes.
    if (reservation.firstRefusalInWindow) {
      await recordAudit({
        action: 'sign_in.failed',
        actor: { kind: 'anonymous', id: null, name: input.email },
        tenantId: null,
        summary:
          'Sign-in refused: too many failed attempts (further refusals in the next 15 minutes are not recorded)',
        details: { reason: 'rate_limited' },
        meta,
      });
    }
    return {
      ok: false,
      reason: 'rate_limited',
      retryAfterSeconds: retryAfterSeconds(reservation.retryAfterMs),
    };
  }

  const user = await findUserByEmail(input.email);
  // Verify against a dummy hash for unknown emails so both answers take the same time.
  const valid = await verifyPassword(input.password, user?.passwordHash ?? (await dummyHash()));
  if (!user || !valid || user.disabled) {
    await recordAudit({
      action: 'sign_in.failed',
      actor: { kind: 'anonymous', id: user?._id ?? null, name: input.email },
      tenantId: user?.tenantId ?? null,
      summary: 'Sign-in failed',
      details: { reason: !user ? 'unknown_email' : user.disabled ? 'disabled' : 'wrong_password' },
      meta,
    });
    return { ok: false, reason: 'invalid' };
  }

  await Promise.all([signInSucceeded(input.email, meta.ip), recordSignIn(user._id)]);
  await recordAudit({
    action: 'sign_in.succeeded',
    actor: { kind: 'user', id: user._id, name: user.email },
    tenantId: user.tenantId,
    summary: 'Signed in',
    meta,
  });
  return { ok: true, principal: userPrincipal(user), sessionVersion: user.sessionVersion };
}

export type PasswordCheck =
  | { ok: true }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'rate_limited'; retryAfterSeconds: number };

/**
 * Checks a signed-in person's current password (to change it) under the sign-in limits and
 * counters: an open browser left behind must not become a way to guess the password faster than
 * the sign-in form allows.
 */
export async function verifyCurrentPassword(
  user: Pick<UserDoc, 'email' | 'passwordHash'>,
  password: string,
  meta: RequestMeta,
): Promise<PasswordCheck> {
  const reservation = await reserveSignInAttempt(user.email, meta.ip);
  if (!reservation.ok) {
    return {
      ok: false,
      reason: 'rate_limited',
      retryAfterSeconds: retryAfterSeconds(reservation.retryAfterMs),
    };
  }
  if (!(await verifyPassword(password, user.passwordHash))) return { ok: false, reason: 'invalid' };
  await signInSucceeded(user.email, meta.ip);
  return { ok: true };
}
