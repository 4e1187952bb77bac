'use server';

import { redirect } from 'next/navigation';
import { safeNext } from '@/lib/auth/safe-next';
import { authenticate, INVALID_CREDENTIALS, signInSchema } from '@/lib/session/sign-in';
import { waitText } from '@/lib/session/sign-in-limits';
import type { Principal } from '@/lib/auth/principal';
import { currentPrincipal, getSession, startSession } from '@/lib/session/session';
import { endSession, endUserSessions } from '@/lib/db/sessions';
import { actorOf, recordAudit } from '@/lib/db/audit';
import { revokeUserSessions } from '@/lib/db/users';
import { errorResult, type ActionResult } from '@/lib/results';
import { requestMeta } from '@/lib/request-meta';
import { flattenIssues } from '@/lib/schemas/issues';

export type SignInResult = ActionResult<null> & { email?: string };

// Signing in has no session yet, so it is the one action outside defineAction; it still
// validates with zod and never says whether the email exists.
export async function signIn(_prev: SignInResult, formData: FormData): Promise<SignInResult> {
  const rawEmail = formData.get('email');
  const email = typeof rawEmail === 'string' ? rawEmail : '';
  const parsed = signInSchema.safeParse({ email, password: formData.get('password') });
  if (!parsed.success) {
    return {
      status: 'invalid',
      fieldErrors: flattenIssues(parsed.error.issues),
      message: 'Check the highlighted fields.',
      email,
    };
  }
  let destination: string;
  try {
    const meta = await requestMeta();
    const outcome = await authenticate(parsed.data, meta);
    if (!outcome.ok) {
      if (outcome.reason === 'rate_limited') {
        return {
          status: 'error',
          code: 'rate_limited',
          message: `Too many failed sign-ins. For your security, try again in ${waitText(outcome.retryAfterSeconds)}.`,
          email,
        };
      }
      return { status: 'error', code: 'unauthenticated', message: INVALID_CREDENTIALS, email };
    }
    await startSession(
      await getSession(),
      { id: outcome.principal.id, sessionVersion: outcome.sessionVersion },
      meta,
    );
    destination = safeNext(formData.get('next'));
  } catch (error) {
    return { ...errorResult(error, 'signIn'), email };
  }
  redirect(destination);
}

/** Signs out this browser only: the user's other sessions go on. */
export async function signOut(): Promise<void> {
  const principal = await currentPrincipal();
  const session = await getSession();
  const sessionId = session.sessionId;
  session.destroy();
  if (sessionId) await endSession(sessionId);
  if (principal?.kind === 'user') await auditSignOut(principal, 'Signed out of this browser');
  redirect('/sign-in');
}

/** Signs out every browser of the user, so a copied cookie is dead too. */
export async function signOutEverywhere(): Promise<void> {
  const principal = await currentPrincipal();
  const session = await getSession();
  session.destroy();
  if (principal?.kind === 'user') {
    await revokeUserSessions({ id: principal.id });
    await endUserSessions(principal.id);
    await auditSignOut(principal, 'Signed out everywhere');
  }
  redirect('/sign-in');
}

async function auditSignOut(principal: Principal, summary: string): Promise<void> {
  await recordAudit({
    action: 'sign_out',
    actor: actorOf(principal),
    tenantId: principal.tenantId,
    summary,
    meta: await requestMeta(),
  }).catch(() => {});
}
