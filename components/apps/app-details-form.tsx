'use client';

import { useState } from 'react';
import { ActionError } from '@/components/ui/action-error';
import { Button } from '@/components/ui/button';
import { fieldPropsFor, InputField, TextareaField } from '@/components/ui/field';
import { useFormAction } from '@/components/ui/use-form-action';
import { updateAppDetails } from '@/lib/actions/update-app-details';
import { appDetailsSchema } from '@/lib/schemas/app';

export function AppDetailsForm({
  appId,
  name: initialName,
  description: initialDescription,
  readOnly,
}: {
  appId: string;
  name: string;
  description: string;
  readOnly: boolean;
}) {
  const { state, action, pending, errors } = useFormAction(updateAppDetails);
  const field = fieldPropsFor('details', errors, appDetailsSchema);
  const [name, setName] = useState(initialName);
  const [description, setDescription] = useState(initialDescription);
  return (
    <form action={action} className="max-w-2xl space-y-4">
      <input type="hidden" name="appId" value={appId} />
      <InputField
        {...field('name')}
        label="Name"
        value={name}
        onChange={(e) => setName(e.target.value)}
        disabled={readOnly}
      />
      <TextareaField
        {...field('description')}
        label="Description"
        rows={2}
        value={description}
        onChange={(e) => setDescription(e.target.value)}
        disabled={readOnly}
      />
      <ActionError result={state} />
      <div aria-live="polite" className="text-sm text-emerald-700">
        {state.status === 'ok' && state.message}
      </div>
      {readOnly ? (
        <p className="text-sm text-slate-500">
          Archived apps are read-only. Restore it to rename it.
        </p>
      ) : (
        <Button type="submit" pending={pending}>
          Save name and description
        </Button>
      )}
    </form>
  );
}
