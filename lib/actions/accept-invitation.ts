'use server';

import { requestMeta } from '@/lib/request-meta';
import { errorResult, ok, type ActionResult } from '@/lib/results';
import { flattenIssues } from '@/lib/schemas/issues';
import { acceptInvitationSchema } from '@/lib/schemas/users';
import { acceptInvitation as accept } from '@/lib/users/accept-invitation';

export type AcceptInvitationResult = ActionResult<{ email: string }>;

// Whoever opens the link has no session yet, so like signIn this is outside defineAction: the
// link's secret is the credential, checked (hashed) before anything is written.
export async function acceptInvitation(
  _prev: AcceptInvitationResult,
  formData: FormData,
): Promise<AcceptInvitationResult> {
  const parsed = acceptInvitationSchema.safeParse({
    token: formData.get('token'),
    name: formData.get('name'),
    password: formData.get('password'),
    confirm: formData.get('confirm'),
  });
  if (!parsed.success) {
    return {
      status: 'invalid',
      fieldErrors: flattenIssues(parsed.error.issues),
      message: 'Check the highlighted fields.',
    };
  }
  try {
    const outcome = await accept(parsed.data, await requestMeta());
    if (!outcome.ok) return { status: 'error', code: 'forbidden', message: outcome.message };
    return ok(
      { email: outcome.email },
      'Your account is ready. Sign in with your email and the password you chose.',
    );
  } catch (error) {
    return errorResult(error, 'acceptInvitation');
  }
}
