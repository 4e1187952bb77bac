'use client';

import { useState } from 'react';
import { ActionError } from '@/components/ui/action-error';
import { Button } from '@/components/ui/button';
import { Card, CardHeader } from '@/components/ui/card';
import { Dialog } from '@/components/ui/dialog';
import { InputField } from '@/components/ui/field';
import { useFormAction } from '@/components/ui/use-form-action';
import { archiveApp } from '@/lib/actions/archive-app';
import { restoreApp } from '@/lib/actions/restore-app';

/**
 * Archive (with a confirmation that says what services will do) or restore. Both are new
 * versions that propagate like a save: on success the action goes to the app page, which shows
 * the new version reaching every region.
 */
export function ArchiveAppCard({
  appId,
  name,
  archived,
  headVersion,
}: {
  appId: string;
  name: string;
  archived: boolean;
  headVersion: number;
}) {
  const [open, setOpen] = useState(false);
  const { state, action, pending } = useFormAction(archived ? restoreApp : archiveApp);
  const verb = archived ? 'Restore' : 'Archive';
  return (
    <Card className={archived ? undefined : 'border-red-200'}>
      <CardHeader
        title={archived ? 'Restore this app' : 'Archive this app'}
        description={
          archived
            ? `Restoring saves the configuration of v${headVersion - 1} again as v${headVersion + 1} and sends it to every region: services serve ${name} again.`
            : `Services stop serving ${name} as the archive reaches each region, and report that it is gone. Nothing is deleted: history stays, and you can restore it at any time.`
        }
        actions={
          <Button variant={archived ? 'primary' : 'danger'} onClick={() => setOpen(true)}>
            {verb} app
          </Button>
        }
      />
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        title={`${verb} ${name}?`}
        description={
          archived
            ? 'The restored configuration propagates like a save.'
            : 'Every service reading this app stops serving it within moments. Its id stays taken.'
        }
      >
        <form action={action} className="space-y-4">
          <input type="hidden" name="appId" value={appId} />
          <input type="hidden" name="baseVersion" value={headVersion} />
          <InputField
            id="archive-reason"
            label="Reason (optional)"
            hint="Kept in the history and the audit log."
            name="reason"
            maxLength={500}
            autoComplete="off"
          />
          <ActionError result={state} />
          {state.status === 'conflict' && (
            <p role="alert" className="text-sm font-medium text-red-700">
              {state.message} Reload the page to see the current version.
            </p>
          )}
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button type="submit" variant={archived ? 'primary' : 'danger'} pending={pending}>
              {verb} {name}
            </Button>
          </div>
        </form>
      </Dialog>
    </Card>
  );
}
