'use client';

import { NewTokenSecret } from '@/components/tokens/new-token-secret';
import { ActionError } from '@/components/ui/action-error';
import { Button } from '@/components/ui/button';
import { fieldPropsFor, InputField } from '@/components/ui/field';
import { useFormAction, useShownOnce } from '@/components/ui/use-form-action';
import { createApiToken } from '@/lib/actions/create-api-token';
import { createApiTokenSchema, tokenScopeLabels, tokenScopes } from '@/lib/schemas/api-token';

const scopeHints = {
  read: 'Read configuration and propagation status, e.g. to wait until a version reached every region.',
  'read-write': 'Also save configuration, e.g. from a deploy pipeline. Never manages tokens.',
} as const;

export function CreateTokenForm() {
  const { state, action, pending, errors } = useFormAction(createApiToken);
  const field = fieldPropsFor('token', errors, createApiTokenSchema);
  const { shown, dismiss } = useShownOnce(state, (created) => created.token._id);

  return (
    <div className="space-y-4">
      {shown && <NewTokenSecret name={shown.token.name} secret={shown.secret} onDone={dismiss} />}
      <form action={action} className="grid gap-4 md:grid-cols-[1fr_18rem_auto] md:items-start">
        <InputField
          {...field('name')}
          label="Name"
          hint="Say what uses it, so you know what breaks if you revoke it."
          autoComplete="off"
          placeholder="Deploy pipeline"
        />
        <fieldset aria-describedby={errors.scope ? 'token-scope-error' : undefined}>
          <legend className="text-sm font-medium text-slate-800">Access</legend>
          <div className="mt-1 space-y-2">
            {tokenScopes.map((scope) => (
              <div key={scope} className="flex items-start gap-2">
                <input
                  id={`token-scope-${scope}`}
                  type="radio"
                  name="scope"
                  value={scope}
                  defaultChecked={scope === 'read'}
                  aria-describedby={`token-scope-${scope}-hint`}
                  className="mt-0.5 size-4 accent-brand-600"
                />
                <div>
                  <label htmlFor={`token-scope-${scope}`} className="text-sm text-slate-800">
                    {tokenScopeLabels[scope]}
                  </label>
                  <p id={`token-scope-${scope}-hint`} className="text-xs text-slate-500">
                    {scopeHints[scope]}
                  </p>
                </div>
              </div>
            ))}
          </div>
          {errors.scope && (
            <p id="token-scope-error" className="mt-1 text-xs font-medium text-red-600">
              {errors.scope[0]}
            </p>
          )}
        </fieldset>
        <Button type="submit" pending={pending} className="md:mt-6">
          Create token
        </Button>
      </form>
      <ActionError result={state} />
    </div>
  );
}
