'use client';

import { ActionError } from '@/components/ui/action-error';
import { Button } from '@/components/ui/button';
import { fieldPropsFor, InputField } from '@/components/ui/field';
import { useFormAction } from '@/components/ui/use-form-action';
import { changePassword } from '@/lib/actions/change-password';

export function ChangePasswordForm() {
  const { state, action, pending, errors } = useFormAction(changePassword);
  const field = fieldPropsFor('pw', errors);
  const fields = [
    {
      name: 'current',
      label: 'Current password',
      autoComplete: 'current-password',
      hint: undefined,
    },
    {
      name: 'password',
      label: 'New password',
      autoComplete: 'new-password',
      hint: 'At least 12 characters.',
    },
    { name: 'confirm', label: 'New password again', autoComplete: 'new-password', hint: undefined },
  ] as const;
  return (
    <form action={action} className="max-w-md space-y-4">
      {fields.map((f) => (
        <InputField
          key={f.name}
          {...field(f.name)}
          label={f.label}
          hint={f.hint}
          type="password"
          required
          maxLength={200}
          autoComplete={f.autoComplete}
        />
      ))}
      <ActionError result={state} />
      <p aria-live="polite" className="text-sm text-emerald-700">
        {state.status === 'ok' && state.message}
      </p>
      <Button type="submit" pending={pending}>
        Change password
      </Button>
    </form>
  );
}
