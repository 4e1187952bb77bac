'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/actions/define-action';
import { actorOf, recordAudit } from '@/lib/db/audit';
import { formInvalid, type ActionResult } from '@/lib/results';
import { changeUserRoleSchema, tenantRoleLabels } from '@/lib/schemas/users';
import { applyUserChange, getTenantUserOrThrow } from '@/lib/users/tenant-user';

export type ChangeUserRoleResult = ActionResult<{ userId: string }>;

export const changeUserRole = defineAction(
  {
    name: 'changeUserRole',
    permission: 'users:manage',
    schema: changeUserRoleSchema,
    fromForm: (formData) => ({ userId: formData.get('userId'), role: formData.get('role') }),
    onSuccess: () => revalidatePath('/users'),
  },
  async ({ userId, role }, { principal, meta }): Promise<ChangeUserRoleResult> => {
    const user = await getTenantUserOrThrow(principal, userId);
    if (user.role === role) {
      return formInvalid(`${user.name} is already ${tenantRoleLabels[role].toLowerCase()}.`);
    }
    const refusal = await applyUserChange(user, { role, disabled: user.disabled });
    if (refusal) return formInvalid(refusal);
    await recordAudit({
      action: 'user.role_changed',
      actor: actorOf(principal),
      tenantId: user.tenantId,
      summary: `Changed ${user.email} from ${user.role} to ${role}`,
      details: { userId: user._id, from: user.role, to: role },
      meta,
    });
    return {
      status: 'ok',
      data: { userId: user._id },
      message: `${user.name} is now ${tenantRoleLabels[role].toLowerCase()}; it applies at their next click.`,
    };
  },
);
