import { LatencyChart } from '@/components/propagation/latency-chart';
import { PropagationPanel } from '@/components/propagation/propagation-panel';
import { can, type Principal } from '@/lib/auth/principal';
import type { AppDoc } from '@/lib/db/collections';
import { errorFields, log } from '@/lib/log';
import type { AppPropagationStatus } from '@/lib/propagation/app-status';
import { appPropagationStatus } from '@/lib/propagation/read-status';

/**
 * The app page's live per-region propagation of the head, and how long saves take to arrive.
 * The first status is read during the render: after a save redirects here, the regions that are
 * still on their way show as such immediately instead of after a client round trip. The page
 * has loaded (and tenant-checked) the app already.
 */
export async function AppPropagationSlot({ user, app }: { user: Principal; app: AppDoc }) {
  const appId = app._id;
  const initialStatus: AppPropagationStatus | null = await appPropagationStatus(app).catch(
    (error: unknown) => {
      // The panel fetches (and retries) on its own; the page must not fail for it.
      log.error({ appId, ...errorFields(error) }, 'initial propagation status failed');
      return null;
    },
  );
  return (
    <div className="space-y-6">
      <PropagationPanel
        appId={appId}
        canRetry={can(user, 'push:retry')}
        canForce={can(user, 'push:force')}
        initialStatus={initialStatus}
      />
      <LatencyChart appId={appId} />
    </div>
  );
}
