import type { Migration } from '@/components/migration/panel-props';
import { TimeAgo } from '@/components/ui/time-ago';

/**
 * The continuous diff of the other deployment: counts, the counts over time, the window, and the
 * regions and apps that are off, named.
 */
export function VerifySection({ m, other }: { m: Migration; other: string }) {
  const v = m.verify;
  const cleanForS = v.cleanSince
    ? Math.max(
        0,
        Math.floor((Date.parse(v.lastRunAt ?? v.cleanSince) - Date.parse(v.cleanSince)) / 1000),
      )
    : 0;
  const peak = Math.max(1, ...v.history.map((p) => p.missing + p.older + p.mismatch));
  return (
    <section aria-labelledby="verify-heading" className="space-y-2">
      <h3 id="verify-heading" className="text-sm font-semibold text-slate-900">
        Verify {other}
      </h3>
      {!v.lastRunAt ? (
        <p className="text-sm text-slate-600">Starts when the backfill is done.</p>
      ) : (
        <>
          <dl className="grid max-w-xl grid-cols-3 gap-3">
            {(['missing', 'older', 'mismatch'] as const).map((k) => (
              <div key={k} className="rounded-md border border-slate-200 px-3 py-2">
                <dt className="text-xs text-slate-500">
                  {k === 'mismatch' ? 'checksum mismatch' : k}
                </dt>
                <dd
                  className={
                    v.counts[k]
                      ? 'text-xl font-semibold text-red-700'
                      : 'text-xl font-semibold text-slate-900'
                  }
                >
                  {v.counts[k]}
                </dd>
              </div>
            ))}
          </dl>
          <div
            aria-hidden
            className="flex h-10 max-w-xl items-end gap-px"
            title="Mismatches over time"
          >
            {v.history.map((p) => {
              const n = p.missing + p.older + p.mismatch;
              return (
                <span
                  key={p.at}
                  className={n ? 'w-1 bg-red-500' : 'w-1 bg-emerald-400'}
                  style={{ height: `${Math.max(8, (n / peak) * 100)}%` }}
                />
              );
            })}
          </div>
          <p className="text-sm text-slate-600">
            Last check <TimeAgo date={v.lastRunAt} />.{' '}
            {v.cleanSince
              ? `Clean for ${cleanForS} s of the ${Math.round(m.verifyWindowMs / 1000)} s window.`
              : 'Not clean: the window starts at the next clean check.'}
          </p>
          {v.regionsOutOfSync.length > 0 && (
            <p role="status" className="text-sm text-red-700">
              Out of sync: {v.regionsOutOfSync.map((r) => `${r.region} (${r.reason})`).join(', ')}
            </p>
          )}
          {v.offending.length > 0 && (
            <ul aria-label="Apps that differ" className="text-sm text-red-700">
              {v.offending.slice(0, 10).map((o) => (
                <li key={`${o.appId}-${o.region}`}>
                  {o.appId} in {o.region}: {o.problem}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
