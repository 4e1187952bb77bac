'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ActionError } from '@/components/ui/action-error';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { TextareaField } from '@/components/ui/field';
import { RollbackSecretsChoice, useRollbackReview } from '@/components/history/rollback-secrets';
import { useFormAction } from '@/components/ui/use-form-action';
import { rollbackConfig } from '@/lib/actions/rollback-config';
import type { RollbackSecrets } from '@/lib/schemas/versions';

function RollbackDialog({
  appId,
  toVersion,
  headVersion,
  onClose,
}: {
  appId: string;
  toVersion: number;
  headVersion: number;
  onClose: () => void;
}) {
  const router = useRouter();
  const [note, setNote] = useState('');
  const [secrets, setSecrets] = useState<RollbackSecrets>('keep');
  const review = useRollbackReview(appId, toVersion);
  // A successful rollback redirects to the app page, which shows its notice.
  const { state: result, action, pending } = useFormAction(rollbackConfig);
  const restoring =
    secrets === 'restore' && review.data?.secrets.some((s) => s.kind === 'changes-back');

  const payload = JSON.stringify({ appId, toVersion, baseVersion: headVersion, note, secrets });
  return (
    <Dialog
      open
      onClose={onClose}
      title={`Roll back to v${toVersion}?`}
      description={`This creates v${headVersion + 1} with the configuration of v${toVersion} and pushes it to every region. History is kept: v${headVersion} stays in the list.`}
    >
      <form action={action} className="space-y-4">
        <input type="hidden" name="payload" value={payload} />
        {review.isPending ? (
          <p className="text-sm text-slate-600">Checking which secrets would change…</p>
        ) : review.error ? (
          <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
            Could not check which secrets would change ({review.error.message}). Rolling back keeps
            the current secrets.
          </p>
        ) : (
          <RollbackSecretsChoice
            review={review.data}
            toVersion={toVersion}
            choice={secrets}
            onChoice={setSecrets}
          />
        )}
        <TextareaField
          id={`rollback-note-${toVersion}`}
          label="Reason (optional)"
          hint="Added to the version’s message."
          rows={2}
          maxLength={400}
          value={note}
          onChange={(e) => setNote(e.target.value)}
        />
        <ActionError result={result} />
        {result.status === 'conflict' && (
          <div role="alert" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
            {result.message} Reload the history to see v{result.conflict.head.version} before
            rolling back.
            <div className="mt-2">
              <Button
                size="sm"
                variant="secondary"
                onClick={() => {
                  onClose();
                  router.refresh();
                }}
              >
                Reload history
              </Button>
            </div>
          </div>
        )}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose} disabled={pending}>
            Cancel
          </Button>
          <Button
            type="submit"
            variant="danger"
            pending={pending}
            disabled={result.status === 'conflict' || review.isPending}
          >
            {pending
              ? 'Rolling back…'
              : restoring
                ? `Roll back and restore v${toVersion}’s secrets`
                : `Roll back to v${toVersion}`}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/** Admins only (the page decides); the action checks the role and the tenant again. */
export function RollbackButton({
  appId,
  toVersion,
  headVersion,
}: {
  appId: string;
  toVersion: number;
  headVersion: number;
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button
        variant="secondary"
        size="sm"
        onClick={() => setOpen(true)}
        aria-label={`Roll back to v${toVersion}`}
      >
        Roll back
      </Button>
      {/* Mounted only while open: a fresh form (and one dialog in the page) each time. */}
      {open && (
        <RollbackDialog
          appId={appId}
          toVersion={toVersion}
          headVersion={headVersion}
          onClose={() => setOpen(false)}
        />
      )}
    </>
  );
}
