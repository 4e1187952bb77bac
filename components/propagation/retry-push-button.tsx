'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Button } from '@/components/ui/button';
import { useToast } from '@/components/ui/toast';
import { useFormAction } from '@/components/ui/use-form-action';
import { retryPush } from '@/lib/actions/retry-push';
import { propagationKeys } from '@/lib/query/propagation';

/** Support's "retry push now" for an app whose head has not reached the primary cache. */
export function RetryPushButton({ appId }: { appId: string }) {
  const { state, action, pending } = useFormAction(retryPush);
  const toast = useToast();
  const queryClient = useQueryClient();
  useEffect(() => {
    if (state.status === 'idle') return;
    toast(state.message, state.status === 'ok' ? 'success' : 'error');
    if (state.status === 'ok')
      void queryClient.invalidateQueries({ queryKey: propagationKeys.all });
  }, [state, toast, queryClient]);
  return (
    <form action={action}>
      <input type="hidden" name="payload" value={JSON.stringify({ appId })} />
      <Button type="submit" variant="secondary" size="sm" pending={pending}>
        Retry push now
      </Button>
    </form>
  );
}
