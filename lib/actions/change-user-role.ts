'use server';

import { revalidatePath } from 'next/cache';
import { defineAction, formFields } from '@/lib/actions/define-action';
import { formInvalid, ok } from '@/lib/results';
import { changeUserRoleSchema, tenantRoleLabels } from '@/lib/schemas/users';
import { applyUserChange, getTenantUserOrThrow } from '@/lib/users/tenant-user';

export const changeUserRole = defineAction(
  {
    name: 'changeUserRole',
    permission: 'users:manage',
    schema: changeUserRoleSchema,
    fromForm: formFields('userId', 'role'),
    onSuccess: () => revalidatePath('/users'),
  },
  async ({ userId, role }, { principal, audit }) => {
    const user = await getTenantUserOrThrow(principal, userId);
    if (user.role === role) {
      return formInvalid(`${user.name} is already ${tenantRoleLabels[role].toLowerCase()}.`);
    }
    const refusal = await applyUserChange(user, { role, disabled: user.disabled });
    if (refusal) return formInvalid(refusal);
    await audit({
      action: 'user.role_changed',
      tenantId: user.tenantId,
      summary: `Changed ${user.email} from ${user.role} to ${role}`,
      details: { userId: user._id, from: user.role, to: role },
    });
    return ok(
      { userId: user._id },
      `${user.name} is now ${tenantRoleLabels[role].toLowerCase()}; it applies at their next click.`,
    );
  },
);
