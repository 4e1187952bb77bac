'use client';

import { useQuery } from '@tanstack/react-query';
import { fetchJson } from '@/lib/query/query-client';
import type { SecretRollback } from '@/lib/secrets';
import type { RollbackSecrets } from '@/lib/schemas/versions';
import type { RollbackReview } from '@/lib/versions/roll-back-to-version';

/** The review a rollback dialog shows before anything changes: which secrets it would touch. */
export function useRollbackReview(appId: string, toVersion: number) {
  return useQuery({
    queryKey: ['rollback-review', appId, toVersion],
    queryFn: () =>
      fetchJson<RollbackReview>(
        `/api/apps/${encodeURIComponent(appId)}/rollback?toVersion=${toVersion}`,
      ),
    // What the head holds now, not a minute ago: it decides what is asked.
    staleTime: 0,
  });
}

function SecretList({ secrets, id }: { secrets: SecretRollback[]; id: string }) {
  return (
    <ul id={id} className="mt-1 space-y-1">
      {secrets.map((s) => (
        <li key={s.path} className="text-sm text-slate-800">
          {s.label}
          <code className="block text-xs text-slate-500">{s.path}</code>
        </li>
      ))}
    </ul>
  );
}

const CHOICES: { value: RollbackSecrets; label: (v: number) => string; hint: string }[] = [
  {
    value: 'keep',
    label: () => 'Keep the current secrets (recommended)',
    hint: 'Everything else goes back; these secrets keep the values they have now.',
  },
  {
    value: 'restore',
    label: (v) => `Restore the secrets of v${v}`,
    hint: 'Only if today’s values are wrong: a secret rotated after a leak becomes the leaked one again.',
  },
];

/**
 * Names (never values) the secrets that would change back and asks what to do with them; the
 * safe answer is selected. Secrets with no current value to keep are listed apart: they come
 * back either way.
 */
export function RollbackSecretsChoice({
  review,
  toVersion,
  choice,
  onChoice,
}: {
  review: RollbackReview;
  toVersion: number;
  choice: RollbackSecrets;
  onChoice: (choice: RollbackSecrets) => void;
}) {
  const changesBack = review.secrets.filter((s) => s.kind === 'changes-back');
  const returning = review.secrets.filter((s) => s.kind === 'returns');
  if (review.secrets.length === 0) {
    return <p className="text-sm text-slate-600">No secret changes: v{toVersion} has today’s.</p>;
  }
  return (
    <div className="space-y-3">
      {changesBack.length > 0 && (
        <fieldset
          aria-describedby="rollback-secrets-changed"
          className="rounded-md border border-amber-200 bg-amber-50 p-3"
        >
          <legend className="px-1 text-sm font-medium text-amber-900">
            {changesBack.length === 1
              ? `1 secret changed since v${toVersion}`
              : `${changesBack.length} secrets changed since v${toVersion}`}
          </legend>
          <SecretList secrets={changesBack} id="rollback-secrets-changed" />
          <div className="mt-3 space-y-2">
            {CHOICES.map((c) => (
              <div key={c.value} className="flex items-start gap-2">
                <input
                  id={`rollback-secrets-${c.value}`}
                  type="radio"
                  name="rollback-secrets"
                  value={c.value}
                  checked={choice === c.value}
                  onChange={() => onChoice(c.value)}
                  aria-describedby={`rollback-secrets-${c.value}-hint`}
                  className="mt-0.5 size-4 accent-brand-600"
                />
                <div>
                  <label htmlFor={`rollback-secrets-${c.value}`} className="text-sm text-slate-900">
                    {c.label(toVersion)}
                  </label>
                  <p id={`rollback-secrets-${c.value}-hint`} className="text-xs text-slate-600">
                    {c.hint}
                  </p>
                </div>
              </div>
            ))}
          </div>
        </fieldset>
      )}
      {returning.length > 0 && (
        <div role="note" className="rounded-md bg-slate-50 p-3">
          <p className="text-sm font-medium text-slate-900">
            Coming back with v{toVersion}’s value (there is no current one to keep)
          </p>
          <SecretList secrets={returning} id="rollback-secrets-returning" />
        </div>
      )}
    </div>
  );
}
