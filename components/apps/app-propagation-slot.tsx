import { LatencyChart } from '@/components/propagation/latency-chart';
import { PropagationPanel } from '@/components/propagation/propagation-panel';
import { requirePageUser } from '@/lib/auth/current';
import { can } from '@/lib/auth/principal';

/** The app page's live per-region propagation of the head, and how long saves take to arrive. */
export async function AppPropagationSlot({ appId }: { appId: string; headVersion: number }) {
  const user = await requirePageUser();
  return (
    <div className="space-y-6">
      <PropagationPanel appId={appId} canRetry={can(user, 'push:retry')} />
      <LatencyChart appId={appId} />
    </div>
  );
}
