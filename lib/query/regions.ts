import { queryOptions } from '@tanstack/react-query';
import type { RegionHealth } from '@/lib/regions-health/region-health';
import { fetchJson } from '@/lib/query/query-client';

export const regionsQuery = () =>
  queryOptions({
    queryKey: ['regions'],
    queryFn: () => fetchJson<{ regions: RegionHealth[] }>('/api/regions'),
    // Region health changes on its own (faults, restarts), so keep polling; React Query
    // pauses the interval while the tab is hidden.
    refetchInterval: 2_000,
  });
