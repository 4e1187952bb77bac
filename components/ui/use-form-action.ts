'use client';

import { useActionState } from 'react';
// Types only: lib/results logs on the server, which a client bundle cannot hold.
import type { ActionResult, FieldErrors } from '@/lib/results';

/**
 * A server action bound to a form: its last result, the action to post to, whether it is
 * running, and the field errors of an `invalid` result (none otherwise).
 */
export function useFormAction<R extends ActionResult<unknown, unknown>>(
  serverAction: (prev: R, formData: FormData) => Promise<R>,
): { state: R; action: (formData: FormData) => void; pending: boolean; errors: FieldErrors } {
  const [state, action, pending] = useActionState<R, FormData>(serverAction, {
    status: 'idle',
  } as Awaited<R>);
  const errors = state.status === 'invalid' ? state.fieldErrors : {};
  return { state, action, pending, errors };
}
