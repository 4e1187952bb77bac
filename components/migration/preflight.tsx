import { Badge } from '@/components/ui/badge';
import type { MigrationStatusJson } from '@/lib/query/migration';

/** The target's regions and the instances that cannot reach it, named. */
export function Preflight({ data }: { data: MigrationStatusJson }) {
  return (
    <div className="space-y-2">
      <h3 className="text-sm font-semibold text-slate-900">
        Preflight: {data.chosenTarget ?? 'no target'}
      </h3>
      <ul className="flex flex-wrap gap-2" aria-label="Target regions">
        {data.targetRegions.map((r) => (
          <li key={r.region}>
            <Badge tone={r.reachable ? 'success' : 'danger'} dot>
              {r.region}: {r.reachable ? 'reachable' : (r.reason ?? 'not reachable')}
            </Badge>
          </li>
        ))}
      </ul>
      <p className="text-sm text-slate-600">
        {data.instances.total} service instance{data.instances.total === 1 ? '' : 's'} reporting;{' '}
        {data.instances.byRegion.reduce((n, r) => n + r.cannotReachTarget.length, 0)} cannot reach{' '}
        {data.chosenTarget}.
      </p>
      {data.instances.byRegion
        .filter((r) => r.cannotReachTarget.length > 0)
        .map((r) => (
          <p key={r.region} className="text-sm text-red-700">
            {r.region}: {r.cannotReachTarget.join(', ')}
          </p>
        ))}
    </div>
  );
}
