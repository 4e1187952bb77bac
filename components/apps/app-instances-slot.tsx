import { InstancesPanel } from '@/components/instances/instances-panel';

/** The app page's servers section: which version each service instance holds. */
export function AppInstancesSlot({ appId, headVersion }: { appId: string; headVersion: number }) {
  return <InstancesPanel appId={appId} headVersion={headVersion} />;
}
