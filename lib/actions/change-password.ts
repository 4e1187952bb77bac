'use server';

import { defineAction, formFields } from '@/lib/actions/define-action';
import { hashPassword } from '@/lib/auth/password';
import { endUserSessions } from '@/lib/db/sessions';
import { findUserById, setPasswordHash } from '@/lib/db/users';
import { ForbiddenError } from '@/lib/errors';
import { fieldInvalid, ok } from '@/lib/results';
import { changePasswordSchema } from '@/lib/schemas/users';
import { verifyCurrentPassword } from '@/lib/session/sign-in';
import { waitText } from '@/lib/session/sign-in-limits';

/**
 * Changes the signed-in person's own password. The current one is required (a borrowed open
 * browser cannot take the account over), checked under the sign-in limits, and every other
 * session of theirs ends.
 */
export const changePassword = defineAction(
  {
    name: 'changePassword',
    permission: 'account:manage',
    schema: changePasswordSchema,
    fromForm: formFields('current', 'password', 'confirm'),
  },
  async ({ current, password }, { principal, meta, audit }) => {
    const user = principal.kind === 'user' ? await findUserById(principal.id) : null;
    if (!user) throw new ForbiddenError('Only a person signed in with a password can change it.');
    const check = await verifyCurrentPassword(user, current, meta);
    if (!check.ok && check.reason === 'rate_limited') {
      return {
        status: 'error',
        code: 'rate_limited',
        message: `Too many wrong passwords. For your security, try again in ${waitText(check.retryAfterSeconds)}.`,
      };
    }
    if (!check.ok) {
      return fieldInvalid('current', 'That is not your current password.');
    }
    await setPasswordHash({ id: user._id, passwordHash: await hashPassword(password) });
    await endUserSessions(user._id, principal.sessionId);
    await audit({
      action: 'password.changed',
      tenantId: user.tenantId,
      summary: 'Changed their password; their other sessions ended',
    });
    return ok(null, 'Password changed. You stay signed in here; your other sessions have ended.');
  },
);
