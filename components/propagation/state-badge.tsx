import { Badge, type BadgeTone } from '@/components/ui/badge';
import { stateLabels, type RegionStateName } from '@/lib/model/region-states';

export const stateTones: Record<RegionStateName, BadgeTone> = {
  in_sync: 'success',
  propagating: 'info',
  lagging: 'warning',
  not_pushed: 'warning',
  replication_down: 'warning',
  unreachable: 'danger',
  diverged: 'danger',
};

export function StateBadge({ state }: { state: RegionStateName }) {
  return (
    <Badge tone={stateTones[state]} dot>
      {stateLabels[state]}
    </Badge>
  );
}
