'use client';

import { useActionState } from 'react';
import { Button } from '@/components/ui/button';
import { Field, Input } from '@/components/ui/field';
import { signIn, type SignInResult } from '@/lib/actions/sign-in';

export function SignInForm({ next }: { next: string }) {
  const [state, action, pending] = useActionState<SignInResult, FormData>(signIn, {
    status: 'idle',
  });
  const fieldErrors = state.status === 'invalid' ? state.fieldErrors : {};
  return (
    <form action={action} className="space-y-4" noValidate>
      <input type="hidden" name="next" value={next} />
      <div aria-live="polite">
        {state.status === 'error' && (
          <p
            role="alert"
            className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-red-200"
          >
            {state.message}
          </p>
        )}
      </div>
      <Field id="email" label="Email" error={fieldErrors.email?.[0]}>
        <Input
          id="email"
          name="email"
          type="email"
          autoComplete="username"
          required
          defaultValue={state.email}
          invalid={!!fieldErrors.email}
        />
      </Field>
      <Field id="password" label="Password" error={fieldErrors.password?.[0]}>
        <Input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          invalid={!!fieldErrors.password}
        />
      </Field>
      <Button type="submit" pending={pending} className="w-full">
        Sign in
      </Button>
    </form>
  );
}
