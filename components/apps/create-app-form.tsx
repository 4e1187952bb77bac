'use client';

import { useState } from 'react';
import { ActionError } from '@/components/ui/action-error';
import { Button } from '@/components/ui/button';
import { fieldPropsFor, InputField, TextareaField } from '@/components/ui/field';
import { useFormAction } from '@/components/ui/use-form-action';
import { createApp } from '@/lib/actions/create-app';
import { createAppSchema } from '@/lib/schemas/app';
import type { SecretSlot } from '@/lib/secrets';

/** A name as an id suggestion: "Acme Storefront" → "acme-storefront". */
function suggestId(name: string): string {
  return name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
}

export function CreateAppForm({
  copyFrom,
  sourceName,
  secretSlots,
}: {
  copyFrom: string;
  sourceName: string | null;
  secretSlots: SecretSlot[];
}) {
  const { state, action, pending, errors } = useFormAction(createApp);
  const field = fieldPropsFor('app', errors, createAppSchema);
  const [name, setName] = useState('');
  const [id, setId] = useState('');
  const [idEdited, setIdEdited] = useState(false);
  // Controlled, so a refused submission keeps what was typed.
  const [description, setDescription] = useState('');

  return (
    <form action={action} className="max-w-2xl space-y-5">
      <input type="hidden" name="copyFrom" value={copyFrom} />
      <InputField
        {...field('name')}
        label="Name"
        hint="What people see in Propagate."
        autoComplete="off"
        value={name}
        onChange={(e) => {
          setName(e.target.value);
          if (!idEdited) setId(suggestId(e.target.value));
        }}
      />
      <InputField
        {...field('id')}
        label="App id"
        hint="Your services ask for the configuration by this id. Lower-case letters, digits and dashes; it cannot be changed later and must be unique."
        maxLength={63}
        autoComplete="off"
        spellCheck={false}
        className="font-mono"
        value={id}
        onChange={(e) => {
          setId(e.target.value);
          setIdEdited(true);
        }}
      />
      <TextareaField
        {...field('description')}
        label="Description (optional)"
        hint="Which product or environment this app is for."
        rows={2}
        value={description}
        onChange={(e) => setDescription(e.target.value)}
      />
      {secretSlots.length > 0 && (
        <fieldset className="space-y-4 rounded-md border border-amber-200 bg-amber-50/60 p-4">
          <legend className="px-1 text-sm font-semibold text-slate-900">
            Secrets for the new app
          </legend>
          <p className="text-sm text-slate-700">
            Secrets are never copied: {sourceName ?? 'the source app'} keeps its own. Enter the new
            app’s client and signing secrets from each provider.
          </p>
          {secretSlots.map((slot) => (
            <InputField
              key={slot.path}
              id={`secret-${slot.path.replace(/[^A-Za-z0-9]+/g, '-')}`}
              label={slot.label}
              error={errors[`secrets.${slot.path}`]?.[0]}
              name={`secret:${slot.path}`}
              type="password"
              autoComplete="off"
              required
              maxLength={1024}
            />
          ))}
        </fieldset>
      )}
      <ActionError result={state} />
      <div className="flex items-center gap-3">
        <Button type="submit" pending={pending}>
          {pending ? 'Creating…' : 'Create app'}
        </Button>
        <p className="text-xs text-slate-500">Creates version 1 and sends it to every region.</p>
      </div>
    </form>
  );
}
