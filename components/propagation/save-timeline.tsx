import { stateTones } from '@/components/propagation/state-badge';
import { CardBody } from '@/components/ui/card';
import { cn } from '@/lib/cn';
import { duration } from '@/lib/format-time';
import { stateLabels } from '@/lib/model/region-states';
import type { AppPropagationStatus, RegionStatus } from '@/lib/propagation/app-status';

interface Step {
  key: string;
  title: string;
  detail: string;
  /** ms after the commit; for a step still waiting, how long it has waited so far. */
  atMs: number;
  done: boolean;
  tone: 'done' | 'waiting' | 'problem';
}

const barTones = {
  done: 'bg-emerald-500',
  waiting: 'bg-brand-500/60 animate-pulse',
  problem: 'bg-amber-500',
};

function regionStep(region: RegionStatus, status: AppPropagationStatus, committedAt: number): Step {
  const title =
    region.role === 'primary'
      ? `Pushed to the primary (${region.name})`
      : `Arrived in ${region.name}`;
  const waited = Math.max(0, status.checkedAt - committedAt);
  if (region.state === 'in_sync') {
    return {
      key: region.name,
      title,
      detail:
        region.timeToArriveMs != null
          ? `+${duration(region.timeToArriveMs)}`
          : 'arrived (time not measured)',
      atMs: region.timeToArriveMs ?? waited,
      done: true,
      tone: 'done',
    };
  }
  const tone = stateTones[region.state] === 'info' ? 'waiting' : 'problem';
  return {
    key: region.name,
    title,
    detail: `${stateLabels[region.state]} · ${duration(waited)} so far`,
    atMs: waited,
    done: false,
    tone,
  };
}

/**
 * The latest save from commit to every region, with times relative to the commit: where the
 * time went is visible at a glance (the bars share one scale).
 */
export function SaveTimeline({ status }: { status: AppPropagationStatus }) {
  const head = status.head;
  if (!head) return null;
  const steps: Step[] = [
    {
      key: 'commit',
      title: `v${head.version} committed to MongoDB`,
      detail: `at ${new Date(head.committedAt).toISOString().slice(11, 19)} UTC`,
      atMs: 0,
      done: true,
      tone: 'done',
    },
    ...status.regions.map((r) => regionStep(r, status, head.committedAt)),
  ];
  const scale = Math.max(1, ...steps.map((s) => s.atMs));
  return (
    <CardBody className="border-t border-slate-200">
      <h3 className="text-sm font-semibold text-slate-900">Timeline of the latest save</h3>
      <ol className="mt-3 space-y-2" aria-label={`Timeline of v${head.version}`}>
        {steps.map((step) => (
          <li
            key={step.key}
            className="grid grid-cols-[minmax(0,16rem)_1fr_minmax(0,15rem)] items-center gap-3 text-sm"
          >
            <span className="flex items-center gap-2 truncate text-slate-800">
              <span
                aria-hidden
                className={cn(
                  'size-2 shrink-0 rounded-full',
                  step.done ? 'bg-emerald-500' : 'bg-slate-300',
                )}
              />
              {step.title}
            </span>
            <span aria-hidden className="h-2 rounded-full bg-slate-100">
              <span
                className={cn('block h-2 rounded-full', barTones[step.tone])}
                style={{ width: `${Math.max(1.5, (step.atMs / scale) * 100)}%` }}
              />
            </span>
            <span
              className={cn(
                'text-right tabular-nums',
                step.done ? 'text-slate-700' : 'text-slate-500',
              )}
            >
              {step.detail}
            </span>
          </li>
        ))}
      </ol>
    </CardBody>
  );
}
