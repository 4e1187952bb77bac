import type { MigrationStatusJson } from '@/lib/query/migration';

/** The other deployment's outbox: what the worker still has to push there. */
export function DualWriteSection({
  outbox,
  other,
}: {
  outbox: MigrationStatusJson['outbox'];
  other: string;
}) {
  return (
    <section aria-labelledby="dual-heading" className="space-y-1">
      <h3 id="dual-heading" className="text-sm font-semibold text-slate-900">
        Dual writes
      </h3>
      <p className="text-sm text-slate-600">
        Outbox of {outbox?.deployment ?? other}: {outbox?.pending ?? 0} waiting,{' '}
        {outbox?.failing ?? 0} retrying after a failure. A deployment that is down never fails or
        slows a save; the worker retries it on its own.
      </p>
    </section>
  );
}
