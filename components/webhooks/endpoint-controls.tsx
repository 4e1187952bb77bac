'use client';

import { useEffect, useState } from 'react';
import { ActionError } from '@/components/ui/action-error';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { ShowOnceSecret } from '@/components/ui/show-once-secret';
import { useToast } from '@/components/ui/toast';
import { useFormAction } from '@/components/ui/use-form-action';
import { deleteWebhookEndpoint } from '@/lib/actions/delete-webhook-endpoint';
import { rotateWebhookSecret } from '@/lib/actions/rotate-webhook-secret';
import { setWebhookEndpointEnabled } from '@/lib/actions/set-webhook-endpoint-enabled';
import type { ActionResult } from '@/lib/results';

/** Toasts an action's success message once per new result. */
function useToastOnOk(state: ActionResult<unknown>) {
  const toast = useToast();
  useEffect(() => {
    if (state.status === 'ok') toast(state.message, 'success');
    // Only a new result should toast, not a re-render with the old one.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [state]);
}

export function EndpointControls({
  endpointId,
  url,
  enabled,
}: {
  endpointId: string;
  url: string;
  enabled: boolean;
}) {
  const {
    state: toggled,
    action: toggle,
    pending: toggling,
  } = useFormAction(setWebhookEndpointEnabled);
  const { state: rotated, action: rotate, pending: rotating } = useFormAction(rotateWebhookSecret);
  const {
    state: deleted,
    action: remove,
    pending: deleting,
  } = useFormAction(deleteWebhookEndpoint);
  const [confirming, setConfirming] = useState(false);
  const [dismissed, setDismissed] = useState<string | null>(null);
  useToastOnOk(toggled);
  const secret = rotated.status === 'ok' ? rotated.data.secret : null;

  return (
    <div className="space-y-3">
      {secret && dismissed !== secret && (
        <ShowOnceSecret
          title="New signing secret"
          label="New signing secret"
          secret={secret}
          copyLabel="Copy secret"
          onDone={() => setDismissed(secret)}
          footer="For 24 hours every notification carries a signature for the new and for the previous secret, so your receiver keeps working while you switch it over."
        >
          Copy it now and update your receiver.
        </ShowOnceSecret>
      )}
      <div className="flex flex-wrap gap-2">
        <form action={toggle}>
          <input type="hidden" name="endpointId" value={endpointId} />
          <input type="hidden" name="enabled" value={enabled ? 'false' : 'true'} />
          <Button type="submit" variant="secondary" pending={toggling}>
            {enabled ? 'Disable' : 'Enable'}
          </Button>
        </form>
        <form action={rotate}>
          <input type="hidden" name="endpointId" value={endpointId} />
          <Button type="submit" variant="secondary" pending={rotating}>
            Rotate secret
          </Button>
        </form>
        <Button variant="danger" onClick={() => setConfirming(true)}>
          Delete endpoint
        </Button>
      </div>
      <ActionError result={toggled} />
      <ActionError result={rotated} />
      <Dialog
        open={confirming}
        onClose={() => setConfirming(false)}
        title="Delete this endpoint?"
        description={`Nothing more is sent to ${url}, and its delivery log is removed. Add it again to get a new secret.`}
      >
        <form action={remove} className="space-y-4">
          <input type="hidden" name="endpointId" value={endpointId} />
          <ActionError result={deleted} />
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={() => setConfirming(false)}>
              Keep it
            </Button>
            <Button type="submit" variant="danger" pending={deleting}>
              Delete endpoint
            </Button>
          </div>
        </form>
      </Dialog>
    </div>
  );
}
