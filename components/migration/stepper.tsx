import type { Migration } from '@/components/migration/panel-props';

const steps = ['Plan', 'Backfill', 'Dual-write', 'Verify', 'Cut over', 'Watch', 'Finish'] as const;

/** Which of the seven steps the migration is at (the stepper highlights it). */
export function currentStep(m: Migration | null): number {
  if (!m) return 0;
  if (m.phase === 'planned') return 1;
  if (m.phase === 'cut-over') return 5;
  if (!m.backfill.finishedAt) return 1;
  return 3;
}

export function Stepper({ at }: { at: number }) {
  return (
    <ol aria-label="Migration steps" className="flex flex-wrap gap-2">
      {steps.map((label, i) => (
        <li
          key={label}
          aria-current={i === at ? 'step' : undefined}
          className={
            i === at
              ? 'rounded-full bg-brand-600 px-3 py-1 text-sm font-medium text-white'
              : i < at
                ? 'rounded-full bg-emerald-50 px-3 py-1 text-sm text-emerald-800 ring-1 ring-emerald-200'
                : 'rounded-full bg-white px-3 py-1 text-sm text-slate-600 ring-1 ring-slate-200'
          }
        >
          {i + 1}. {label}
        </li>
      ))}
    </ol>
  );
}
