'use client';

import { useQuery } from '@tanstack/react-query';
import { stateTones } from '@/components/propagation/state-badge';
import { Badge } from '@/components/ui/badge';
import { stateLabels } from '@/lib/model/region-states';
import { fleetPropagationQuery } from '@/lib/query/propagation';
import { useScopeStream } from '@/lib/query/propagation-streams';

/**
 * "All in sync" or "n regions behind" for one app of the apps list, live. Every row of a page
 * asks for the same query (the page's apps, `pageApps`), read once; the scope stream's rows of
 * changed apps update it in place, so a change costs no request whatever the size of the fleet.
 */
export function PropagationSummarySlot({
  appId,
  headVersion,
  pageApps,
}: {
  appId: string;
  headVersion: number;
  /** The ids of every app on the page with a status, comma-separated. */
  pageApps: string;
}) {
  const stream = useScopeStream();
  const limit = Math.max(1, pageApps.split(',').length);
  const { data, error, isPending } = useQuery(
    fleetPropagationQuery({ apps: pageApps, limit }, stream),
  );
  if (headVersion === 0) return <span className="text-slate-400">Nothing to propagate</span>;
  if (isPending)
    return (
      <span
        className="inline-block h-4 w-24 animate-pulse rounded bg-slate-100"
        aria-label="Loading"
      />
    );
  if (error) return <span className="text-slate-500">Status unavailable</span>;
  const app = data.apps.find((a) => a.appId === appId);
  if (!app) return <span className="text-slate-400">—</span>;
  if (app.behind === 0) {
    return (
      <Badge tone="success" dot>
        All {app.regions.length} regions in sync
      </Badge>
    );
  }
  return (
    <span className="inline-flex flex-col items-start gap-0.5">
      <Badge tone={stateTones[app.worst]} dot>
        {app.behind} of {app.regions.length} regions behind
      </Badge>
      <span className="text-xs text-slate-500">
        {app.regions
          .filter((r) => r.state !== 'in_sync')
          .map((r) => `${r.name}: ${stateLabels[r.state].toLowerCase()}`)
          .join(', ')}
      </span>
    </span>
  );
}
