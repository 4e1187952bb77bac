'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/actions/define-action';
import { actorOf, recordAudit } from '@/lib/db/audit';
import { endUserSessions } from '@/lib/db/sessions';
import { formInvalid, type ActionResult } from '@/lib/results';
import { setUserDisabledSchema } from '@/lib/schemas/users';
import { applyUserChange, getTenantUserOrThrow } from '@/lib/users/tenant-user';

export type SetUserDisabledResult = ActionResult<{ userId: string; disabled: boolean }>;

/**
 * Disables (every session ends at its next request) or re-enables a user. Nobody disables
 * themselves, and the last admin of a tenant is never disabled.
 */
export const setUserDisabled = defineAction(
  {
    name: 'setUserDisabled',
    permission: 'users:manage',
    schema: setUserDisabledSchema,
    fromForm: (formData) => ({
      userId: formData.get('userId'),
      disabled: formData.get('disabled'),
    }),
    onSuccess: () => revalidatePath('/users'),
  },
  async ({ userId, disabled }, { principal, meta }): Promise<SetUserDisabledResult> => {
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
    await recordAudit({
      action: disabled ? 'user.disabled' : 'user.enabled',
      actor: actorOf(principal),
      tenantId: user.tenantId,
      summary: `${disabled ? 'Disabled' : 'Re-enabled'} ${user.email}`,
      details: { userId: user._id },
      meta,
    });
    return {
      status: 'ok',
      data: { userId: user._id, disabled },
      message: disabled
        ? `${user.name} is disabled; their sessions have ended.`
        : `${user.name} can sign in again.`,
    };
  },
);
