import type { ActionResult } from '@/lib/results';

/**
 * The form-level message of a refused or invalid action, in a live region so screen readers
 * announce it. The region is always rendered: a live region added together with its text is
 * often not read out.
 */
export function ActionError({ result }: { result: ActionResult<unknown, unknown> }) {
  return (
    <div aria-live="polite">
      {(result.status === 'error' || result.status === 'invalid') && (
        <p role="alert" className="text-sm font-medium text-red-700">
          {result.message}
        </p>
      )}
    </div>
  );
}
