'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { ActionError } from '@/components/ui/action-error';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { useToast } from '@/components/ui/toast';
import { useFormAction } from '@/components/ui/use-form-action';
import { forcePush } from '@/lib/actions/force-push';
import { propagationKeys } from '@/lib/query/propagation';

/**
 * Support's forced re-push of a diverged head: the primary holds this version with another
 * checksum, which the normal push never replaces. Asks first, since it overwrites what every
 * region serves for this version.
 */
export function ForcePushButton({ appId, version }: { appId: string; version: number }) {
  const [open, setOpen] = useState(false);
  const { state, action, pending } = useFormAction(forcePush);
  const toast = useToast();
  const queryClient = useQueryClient();
  useEffect(() => {
    if (state.status !== 'ok') return;
    toast(state.message, 'success');
    setOpen(false);
    void queryClient.invalidateQueries({ queryKey: propagationKeys.all });
  }, [state, toast, queryClient]);
  return (
    <>
      <Button variant="danger" size="sm" onClick={() => setOpen(true)}>
        Force re-push…
      </Button>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        title={`Overwrite the cache’s v${version}?`}
        description={`The primary cache holds a v${version} that is not the one MongoDB has. Forcing the push writes MongoDB’s v${version} over it, and every region follows. A newer version in the cache is never replaced. This is recorded in the audit log.`}
      >
        <form action={action} className="space-y-4">
          <input
            type="hidden"
            name="payload"
            value={JSON.stringify({ appId, version, confirm: true })}
          />
          <ActionError result={state} />
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={() => setOpen(false)}>
              Keep the cache as it is
            </Button>
            <Button type="submit" variant="danger" pending={pending}>
              Overwrite v{version}
            </Button>
          </div>
        </form>
      </Dialog>
    </>
  );
}
