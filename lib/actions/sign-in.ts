'use server';

import { redirect } from 'next/navigation';
import { safeNext } from '@/lib/auth/safe-next';
import { authenticate, INVALID_CREDENTIALS, signInSchema } from '@/lib/session/sign-in';
import { currentPrincipal, getSession } from '@/lib/session/session';
import { actorOf, recordAudit } from '@/lib/db/audit';
import { revokeUserSessions } from '@/lib/db/users';
import { errorResult, type ActionResult } from '@/lib/results';
import { requestMeta } from '@/lib/request-meta';
import { flattenIssues } from '@/lib/schemas/issues';

export type SignInResult = ActionResult<null> & { email?: string };

function waitText(seconds: number): string {
  const [n, unit] = seconds < 60 ? [seconds, 'second'] : [Math.ceil(seconds / 60), 'minute'];
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

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
    const outcome = await authenticate(parsed.data, await requestMeta());
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
    const session = await getSession();
    session.userId = outcome.principal.id;
    session.sessionVersion = outcome.sessionVersion;
    session.signedInAt = Date.now();
    await session.save();
    destination = safeNext(formData.get('next'));
  } catch (error) {
    return { ...errorResult(error, 'signIn'), email };
  }
  redirect(destination);
}

export async function signOut(): Promise<void> {
  const principal = await currentPrincipal();
  const session = await getSession();
  session.destroy();
  if (principal?.kind === 'user') {
    // Signing out ends this user's sessions everywhere, so a copied cookie is dead too.
    await revokeUserSessions({ id: principal.id });
    await recordAudit({
      action: 'sign_out',
      actor: actorOf(principal),
      tenantId: principal.tenantId,
      summary: 'Signed out',
      meta: await requestMeta(),
    }).catch(() => {});
  }
  redirect('/sign-in');
}
