import { queryOptions } from '@tanstack/react-query';
import type { StreamState } from '@/lib/query/event-stream';
import { fetchJson } from '@/lib/query/query-client';
import type { RegionHealth } from '@/lib/regions-health/region-health';

export const REGIONS_POLL_MS = 2_000;

/** Read once, then written by the scope stream after every scan; polled only without it. */
export const regionsQuery = (stream: StreamState = 'down') =>
  queryOptions({
    queryKey: ['regions'],
    queryFn: () => fetchJson<{ regions: RegionHealth[] }>('/api/regions'),
    refetchInterval: stream === 'down' ? REGIONS_POLL_MS : false,
  });
