'use server';

import { revalidatePath } from 'next/cache';
import { defineAction, formFields } from '@/lib/actions/define-action';
import { endUserSessions } from '@/lib/db/sessions';
import { formInvalid, ok } from '@/lib/results';
import { setUserDisabledSchema } from '@/lib/schemas/users';
import { applyUserChange, getTenantUserOrThrow } from '@/lib/users/tenant-user';

/**
 * Disables (every session ends at its next request) or re-enables a user. Nobody disables
 * themselves, and the last admin of a tenant is never disabled.
 */
export const setUserDisabled = defineAction(
  {
    name: 'setUserDisabled',
    permission: 'users:manage',
    schema: setUserDisabledSchema,
    fromForm: formFields('userId', 'disabled'),
    onSuccess: () => revalidatePath('/users'),
  },
  async ({ userId, disabled }, { principal, audit }) => {
    const user = await getTenantUserOrThrow(principal, userId);
    if (user.disabled === disabled) {
      return formInvalid(`${user.name} is already ${disabled ? 'disabled' : 'enabled'}.`);
    }
    if (disabled && user._id === principal.id) {
      return formInvalid('You cannot disable your own account. Ask another admin.');
    }
    // Disabling bumps the session version: every open session is refused at its next request.
    const refusal = await applyUserChange(user, { role: user.role, disabled });
    if (refusal) return formInvalid(refusal);
    if (disabled) await endUserSessions(user._id);
    await audit({
      action: disabled ? 'user.disabled' : 'user.enabled',
      tenantId: user.tenantId,
      summary: `${disabled ? 'Disabled' : 'Re-enabled'} ${user.email}`,
      details: { userId: user._id },
    });
    return ok(
      { userId: user._id, disabled },
      disabled
        ? `${user.name} is disabled; their sessions have ended.`
        : `${user.name} can sign in again.`,
    );
  },
);
