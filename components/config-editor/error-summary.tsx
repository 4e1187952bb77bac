'use client';

import { forwardRef } from 'react';
import { fieldId, getIn } from '@/components/config-editor/draft';
import { fieldLabel } from '@/lib/config-diff';
import type { ConfigInput } from '@/lib/schemas/config';
import type { FieldErrors } from '@/lib/schemas/issues';

/** Positions in keyed lists read better by name: "Social providers › Google › Client secret". */
function labelFor(path: string, draft: ConfigInput): string {
  const parts = path.split('.');
  for (const list of ['signIn.social', 'webhooks', 'registration.fields']) {
    const depth = list.split('.').length;
    if (parts.slice(0, depth).join('.') === list && /^\d+$/.test(parts[depth] ?? '')) {
      const item = getIn(draft, parts.slice(0, depth + 1).join('.')) as
        Record<string, unknown> | undefined;
      const identity = item?.provider ?? item?.id ?? item?.name;
      if (typeof identity === 'string' && identity) parts[depth] = identity;
    }
  }
  return fieldLabel(parts.join('.'));
}

/** Focuses the control for `path`, or the closest enclosing one (a list for its items). */
function focusField(path: string) {
  const parts = path.split('.');
  for (let n = parts.length; n > 0; n -= 1) {
    const id = fieldId(parts.slice(0, n).join('.'));
    const el =
      document.getElementById(id) ??
      document.getElementById(`${id}-group-error`) ??
      document.getElementById(`section-${id.slice(4)}`);
    if (el) {
      el.scrollIntoView({ block: 'center' });
      el.focus({ preventScroll: true });
      return;
    }
  }
}

/** Every error in one place, each a link to its field: nothing the server says gets lost. */
export const ErrorSummary = forwardRef<
  HTMLDivElement,
  { errors: FieldErrors; draft: ConfigInput; message: string }
>(function ErrorSummary({ errors, draft, message }, ref) {
  const entries = Object.entries(errors);
  return (
    <div
      ref={ref}
      tabIndex={-1}
      role="alert"
      className="rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800"
    >
      <p className="font-medium">{message}</p>
      {entries.length > 0 && (
        <ul className="mt-2 list-disc space-y-1 pl-5">
          {entries.map(([path, messages]) => (
            <li key={path}>
              {path === '_form' ? (
                messages.join(' ')
              ) : (
                <button
                  type="button"
                  className="text-left underline hover:text-red-950"
                  onClick={() => focusField(path)}
                >
                  {labelFor(path, draft)}: {messages.join(' ')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
});
