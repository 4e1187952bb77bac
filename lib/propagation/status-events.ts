import type { AppPropagationStatus } from '@/lib/propagation/app-status';
import type { propagationStreamEvents } from '@/lib/schemas/api';

export type AppStatusEventName = (typeof propagationStreamEvents)[number];

/** What changed between two statuses of an app, most telling first: the name of the event. */
export function appStatusEvent(
  before: AppPropagationStatus,
  after: AppPropagationStatus,
): AppStatusEventName {
  if (before.head?.version !== after.head?.version) return 'head';
  const regionMoved = after.regions.some((r, i) => {
    const b = before.regions[i];
    return b?.state !== r.state || b.stamp?.version !== r.stamp?.version;
  });
  if (regionMoved) return 'region';
  if (after.regions.some((r, i) => before.regions[i]?.arrivedAt !== r.arrivedAt)) return 'arrival';
  return 'tick';
}
