import type { Migration } from '@/components/migration/panel-props';
import { TimeAgo } from '@/components/ui/time-ago';

/** The copy of every head into the target: a progress bar, and why it paused if it did. */
export function BackfillProgressSection({ m }: { m: Migration }) {
  const b = m.backfill;
  const percent =
    b.total > 0 ? Math.min(100, Math.round((b.copied / b.total) * 100)) : b.finishedAt ? 100 : 0;
  return (
    <section aria-labelledby="backfill-heading" className="space-y-2">
      <h3 id="backfill-heading" className="text-sm font-semibold text-slate-900">
        Backfill {b.finishedAt ? 'done' : 'running'}
      </h3>
      <div
        role="progressbar"
        aria-label="Backfill progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        className="h-2.5 w-full max-w-xl overflow-hidden rounded-full bg-slate-100"
      >
        <div className="h-full bg-brand-600 transition-all" style={{ width: `${percent}%` }} />
      </div>
      <p className="text-sm text-slate-600">
        {b.copied} of {b.total} apps copied ({percent}%)
        {b.finishedAt && (
          <>
            , finished <TimeAgo date={b.finishedAt} />
          </>
        )}
        .
      </p>
      {b.lastError && (
        <p role="status" className="text-sm text-amber-800">
          Paused: {b.lastError}. It resumes from app {b.cursor ?? 'one'} when {m.target} answers.
        </p>
      )}
    </section>
  );
}
