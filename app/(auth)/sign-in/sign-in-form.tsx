'use client';

import { Button } from '@/components/ui/button';
import { fieldPropsFor, InputField } from '@/components/ui/field';
import { useFormAction } from '@/components/ui/use-form-action';
import { signIn } from '@/lib/actions/sign-in';

export function SignInForm({ next }: { next: string }) {
  const { state, action, pending, errors } = useFormAction(signIn);
  const field = fieldPropsFor('sign-in', errors);
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
      <InputField
        {...field('email')}
        label="Email"
        type="email"
        autoComplete="username"
        required
        defaultValue={state.email}
      />
      <InputField
        {...field('password')}
        label="Password"
        type="password"
        autoComplete="current-password"
        required
      />
      <Button type="submit" pending={pending} className="w-full">
        Sign in
      </Button>
    </form>
  );
}
