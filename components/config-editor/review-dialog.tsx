'use client';

import { useState } from 'react';
import { ChangeTable } from '@/components/config-diff/change-table';
import { ActionError } from '@/components/ui/action-error';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { TextareaField } from '@/components/ui/field';
import type { SaveConfigResult } from '@/lib/versions/save-next-version';
import type { ConfigChange } from '@/lib/config-diff';
import type { ConfigInput } from '@/lib/schemas/config';

/** The last step before saving: the diff against the head, an optional message, then Save. */
export function ReviewDialog({
  open,
  onClose,
  appId,
  baseVersion,
  draft,
  changes,
  action,
  pending,
  result,
}: {
  open: boolean;
  onClose: () => void;
  appId: string;
  baseVersion: number;
  draft: ConfigInput;
  changes: ConfigChange[];
  action: (formData: FormData) => void;
  pending: boolean;
  result: SaveConfigResult;
}) {
  const [message, setMessage] = useState('');
  const payload = JSON.stringify({ appId, baseVersion, config: draft, message });
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title="Review changes"
      description={`Compared with v${baseVersion}, the current version. Saving creates v${baseVersion + 1} and pushes it to every region.`}
    >
      <div className="-mx-5 -mt-4 mb-4 border-b border-slate-200">
        <ChangeTable changes={changes} caption={`Changes against v${baseVersion}`} />
      </div>
      <form action={action} className="space-y-4">
        <input type="hidden" name="payload" value={payload} />
        <TextareaField
          id="change-message"
          label="Change message (optional)"
          hint="Say why, for whoever reads the history later."
          rows={2}
          maxLength={500}
          value={message}
          onChange={(e) => setMessage(e.target.value)}
          placeholder="e.g. Shorter sessions after the security review"
        />
        {result.status === 'error' && <ActionError result={result} />}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose} disabled={pending}>
            Keep editing
          </Button>
          <Button type="submit" pending={pending}>
            {pending ? 'Saving…' : `Save as v${baseVersion + 1}`}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
