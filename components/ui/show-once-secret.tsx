'use client';

import { useId, useState, type ReactNode } from 'react';
import { Button } from '@/components/ui/button';

/** The one time a secret is visible: a copyable box, a plain warning, and what it is for. */
export function ShowOnceSecret({
  title,
  label,
  secret,
  copyLabel,
  children,
  footer,
  onDone,
}: {
  title: string;
  /** The field's accessible name, e.g. "New API token". */
  label: string;
  secret: string;
  copyLabel: string;
  /** Where to keep it; the "you won't see it again" warning is added here. */
  children: ReactNode;
  footer?: ReactNode;
  onDone: () => void;
}) {
  const id = useId();
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('yes');
    } catch {
      // Clipboard access can be denied (insecure origin, browser policy): the field stays selectable.
      setCopied('failed');
    }
  }
  return (
    <div
      role="region"
      aria-labelledby={`${id}-title`}
      className="rounded-md border border-emerald-200 bg-emerald-50 p-4"
    >
      <h3 id={`${id}-title`} className="text-sm font-semibold text-emerald-900">
        {title}
      </h3>
      <p className="mt-1 text-sm text-emerald-900">
        {children} <strong>You won’t be able to see it again</strong>: we don’t show it twice.
      </p>
      <div className="mt-3 flex flex-wrap items-center gap-2">
        <label htmlFor={`${id}-value`} className="sr-only">
          {label}
        </label>
        <input
          id={`${id}-value`}
          readOnly
          value={secret}
          onFocus={(e) => e.currentTarget.select()}
          className="min-w-0 flex-1 rounded-md border border-emerald-300 bg-white px-3 py-2 font-mono text-sm text-slate-900"
        />
        <Button variant="secondary" onClick={() => void copy()}>
          {copyLabel}
        </Button>
        <Button variant="ghost" onClick={onDone}>
          I’ve saved it
        </Button>
      </div>
      <p aria-live="polite" className="mt-2 text-xs text-emerald-800">
        {copied === 'yes' && 'Copied to the clipboard.'}
        {copied === 'failed' && 'Could not reach the clipboard: select it and copy it.'}
      </p>
      {footer && <p className="mt-2 text-xs text-emerald-900">{footer}</p>}
    </div>
  );
}
