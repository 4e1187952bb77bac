import { queryOptions } from '@tanstack/react-query';
import type { AppInstancesView } from '@/lib/instances/app-instances';
import { fetchJson } from '@/lib/query/query-client';

/** True while some server of the app does not hold the head yet: worth watching closely. */
export function instancesSettling(view: AppInstancesView | undefined): boolean {
  if (!view?.reportsAvailable) return true;
  return view.regions.some((r) => r.instances.some((i) => i.state === 'behind'));
}

export const appInstancesQuery = (appId: string) =>
  queryOptions({
    queryKey: ['apps', appId, 'instances'],
    queryFn: () => fetchJson<AppInstancesView>(`/api/apps/${encodeURIComponent(appId)}/instances`),
    // Fast while a save is reaching the servers, calmer once they all agree; React Query pauses
    // the interval while the tab is hidden.
    refetchInterval: (query) => (instancesSettling(query.state.data) ? 1_000 : 3_000),
  });
