'use client';

import { useEffect, type ReactNode } from 'react';
import { useToast } from '@/components/ui/toast';
import { useFormAction } from '@/components/ui/use-form-action';
import type { ActionResult } from '@/lib/results';

/**
 * A small form inside a table row: hidden fields plus controls, its refusal shown under it (in a
 * live region) and its success as a toast.
 */
export function RowAction<T>({
  action,
  fields,
  children,
}: {
  action: (prev: ActionResult<T>, formData: FormData) => Promise<ActionResult<T>>;
  fields: Record<string, string>;
  children: ReactNode;
}) {
  const { state, action: formAction } = useFormAction(action);
  const toast = useToast();
  useEffect(() => {
    if (state.status === 'ok') toast(state.message, 'success');
    // A new result only, not a re-render with the old one.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [state]);
  return (
    <form action={formAction} className="inline-flex flex-col items-end gap-1">
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <div className="flex items-center gap-2">{children}</div>
      <div aria-live="polite" className="max-w-xs text-right">
        {(state.status === 'invalid' || state.status === 'error') && (
          <p role="alert" className="text-xs font-medium text-red-700">
            {state.message}
          </p>
        )}
      </div>
    </form>
  );
}
