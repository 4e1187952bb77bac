'use client';

import Link from 'next/link';
import { useState } from 'react';
import { ActionError } from '@/components/ui/action-error';
import { Button } from '@/components/ui/button';
import { fieldPropsFor, InputField } from '@/components/ui/field';
import { useFormAction } from '@/components/ui/use-form-action';
import { acceptInvitation } from '@/lib/actions/accept-invitation';
import { acceptInvitationSchema } from '@/lib/schemas/users';

export function AcceptInvitationForm({ token }: { token: string }) {
  const { state, action, pending, errors } = useFormAction(acceptInvitation);
  const field = fieldPropsFor('invite', errors, acceptInvitationSchema);
  const [name, setName] = useState('');
  if (state.status === 'ok') {
    return (
      <div role="status" className="space-y-3">
        <p className="text-sm text-emerald-800">{state.message}</p>
        <Link href="/sign-in" className="text-sm font-medium text-brand-700 underline">
          Sign in as {state.data.email}
        </Link>
      </div>
    );
  }
  return (
    <form action={action} className="space-y-4">
      <input type="hidden" name="token" value={token} />
      <InputField
        {...field('name')}
        label="Your name"
        autoComplete="name"
        value={name}
        onChange={(e) => setName(e.target.value)}
      />
      <InputField
        {...field('password')}
        label="Password"
        hint="At least 12 characters."
        type="password"
        autoComplete="new-password"
      />
      <InputField
        {...field('confirm')}
        label="Password again"
        type="password"
        required
        maxLength={200}
        autoComplete="new-password"
      />
      <ActionError result={state} />
      <Button type="submit" pending={pending} className="w-full">
        Create my account
      </Button>
    </form>
  );
}
