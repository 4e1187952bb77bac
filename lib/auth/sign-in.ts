import 'server-only';
import { z } from 'zod';
import { userPrincipal, type Principal } from '@/lib/auth/principal';
import { dummyHash, verifyPassword } from '@/lib/auth/password';
import {
  clearSignInFailures,
  recordSignInFailure,
  signInBlockedFor,
} from '@/lib/auth/sign-in-limiter';
import { recordAudit } from '@/lib/db/audit';
import { findUserByEmail } from '@/lib/db/users';
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

export async function authenticate(
  input: z.output<typeof signInSchema>,
  meta: RequestMeta,
): Promise<SignInOutcome> {
  const blockedFor = await signInBlockedFor(input.email, meta.ip);
  if (blockedFor > 0) {
    await recordAudit({
      action: 'sign_in.failed',
      actor: { kind: 'anonymous', id: null, name: input.email },
      tenantId: null,
      summary: 'Sign-in refused: too many failed attempts',
      details: { reason: 'rate_limited' },
      meta,
    });
    return { ok: false, reason: 'rate_limited', retryAfterSeconds: blockedFor };
  }

  const user = await findUserByEmail(input.email);
  // Verify against a dummy hash for unknown emails so both answers take the same time.
  const valid = await verifyPassword(input.password, user?.passwordHash ?? (await dummyHash()));
  if (!user || !valid || user.disabled) {
    await recordSignInFailure(input.email, meta.ip);
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

  await clearSignInFailures(input.email);
  await recordAudit({
    action: 'sign_in.succeeded',
    actor: { kind: 'user', id: user._id, name: user.email },
    tenantId: user.tenantId,
    summary: 'Signed in',
    meta,
  });
  return { ok: true, principal: userPrincipal(user), sessionVersion: user.sessionVersion };
}
