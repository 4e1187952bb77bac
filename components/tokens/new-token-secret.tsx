'use client';

import { useState } from 'react';
import { Button } from '@/components/ui/button';

/** The one time a token's secret is visible: a copyable box and a plain warning. */
export function NewTokenSecret({
  name,
  secret,
  onDone,
}: {
  name: string;
  secret: string;
  onDone: () => void;
}) {
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
      aria-labelledby="new-token-title"
      className="rounded-md border border-emerald-200 bg-emerald-50 p-4"
    >
      <h3 id="new-token-title" className="text-sm font-semibold text-emerald-900">
        Your new token “{name}”
      </h3>
      <p className="mt-1 text-sm text-emerald-900">
        Copy it now and keep it somewhere safe, such as your pipeline’s secret store.{' '}
        <strong>You won’t be able to see it again</strong>: we only keep a fingerprint of it.
      </p>
      <div className="mt-3 flex flex-wrap items-center gap-2">
        <label htmlFor="new-token-value" className="sr-only">
          New API token
        </label>
        <input
          id="new-token-value"
          readOnly
          value={secret}
          onFocus={(e) => e.currentTarget.select()}
          className="min-w-0 flex-1 rounded-md border border-emerald-300 bg-white px-3 py-2 font-mono text-sm text-slate-900"
        />
        <Button variant="secondary" onClick={() => void copy()}>
          Copy token
        </Button>
        <Button variant="ghost" onClick={onDone}>
          I’ve saved it
        </Button>
      </div>
      <p aria-live="polite" className="mt-2 text-xs text-emerald-800">
        {copied === 'yes' && 'Copied to the clipboard.'}
        {copied === 'failed' && 'Could not reach the clipboard: select the token and copy it.'}
      </p>
      <p className="mt-2 text-xs text-emerald-900">
        Send it as <code className="font-mono">Authorization: Bearer …</code> with requests to the
        Propagate API.
      </p>
    </div>
  );
}
