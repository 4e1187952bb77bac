'use client';

import { useActionState, useState } from 'react';
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

/**
 * What the last successful submission created (a token, an invitation, an endpoint), and the
 * same while it is `shown`: a secret or link seen once stays on screen until dismissed, and a
 * later submission shows its own. `keyOf` tells one created thing from the next.
 */
export function useShownOnce<T>(
  state: ActionResult<T, unknown>,
  keyOf: (created: T) => string,
): { created: T | null; shown: T | null; dismiss: () => void } {
  const [dismissed, setDismissed] = useState<string | null>(null);
  const created = state.status === 'ok' ? state.data : null;
  const key = created === null ? null : keyOf(created);
  return {
    created,
    shown: key !== null && key !== dismissed ? created : null,
    dismiss: () => setDismissed(key),
  };
}
