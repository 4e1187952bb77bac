'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useId } from 'react';
import { Button, type ButtonVariant } from '@/components/ui/button';
import { useToast } from '@/components/ui/toast';
import { useFormAction } from '@/components/ui/use-form-action';
import { takeMigrationStep } from '@/lib/actions/take-migration-step';
import type { Gate, MigrationStep } from '@/lib/model/migration-gates';
import { migrationKeys } from '@/lib/query/migration';

/**
 * One step of the migration: a button, the check that gates it (the reason it is closed is shown
 * beside it), and the outcome announced in a live region. The revision the page showed travels
 * with the request, so a step another operator already took is refused rather than repeated.
 */
export function StepButton({
  step,
  label,
  status,
  target,
  variant = 'primary',
  canRun,
}: {
  step: MigrationStep;
  label: string;
  /** The migration status the page shows: the step's gate and the revision it was read at. */
  status: { gates: Record<MigrationStep, Gate>; revision: number };
  target?: string;
  variant?: ButtonVariant;
  canRun: boolean;
}) {
  const { state, action, pending } = useFormAction(takeMigrationStep);
  const toast = useToast();
  const queryClient = useQueryClient();
  const reasonId = useId();
  const gate = status.gates[step];
  const revision = status.revision;
  useEffect(() => {
    if (state.status === 'idle') return;
    if (state.status === 'ok') toast(state.message, 'success');
    void queryClient.invalidateQueries({ queryKey: migrationKeys.all });
  }, [state, toast, queryClient]);
  const disabled = !canRun || !gate.open || pending;
  return (
    <form action={action} className="space-y-1.5">
      <input
        type="hidden"
        name="payload"
        value={JSON.stringify({ step, expectRevision: revision, ...(target && { target }) })}
      />
      <Button
        type="submit"
        variant={variant}
        pending={pending}
        disabled={disabled}
        aria-describedby={reasonId}
      >
        {label}
      </Button>
      <p id={reasonId} className="text-xs text-slate-600">
        {!canRun
          ? 'Only operators run migrations; you see it read-only.'
          : gate.open
            ? 'Ready.'
            : `Closed: ${gate.reason}`}
      </p>
      <div aria-live="polite">
        {state.status !== 'idle' && state.status !== 'ok' && (
          <p role="alert" className="text-sm font-medium text-red-700">
            {state.message}
          </p>
        )}
      </div>
    </form>
  );
}
