'use client';

import { useQueryClient } from '@tanstack/react-query';
import type { AppPropagationStatus } from '@/lib/propagation/app-status';
import { useEventStream, type StreamState } from '@/lib/query/event-stream';
import { appPropagationQuery, propagationKeys } from '@/lib/query/propagation';
import { regionsQuery } from '@/lib/query/regions';
import type { RegionHealth } from '@/lib/regions-health/region-health';

/** An app's status, pushed into React Query's cache on every change. */
export function useAppStatusStream(appId: string): StreamState {
  const queryClient = useQueryClient();
  return useEventStream(
    `/api/apps/${encodeURIComponent(appId)}/propagation/events`,
    (_event, data) => {
      queryClient.setQueryData(appPropagationQuery(appId).queryKey, data as AppPropagationStatus);
    },
  );
}

/**
 * The caller's scope (their tenant, or everything for support): region health goes straight
 * into the cache; a change to apps refetches the fleet pages on screen (one page each, 304 when
 * the page itself did not change).
 */
export function useScopeStream(): StreamState {
  const queryClient = useQueryClient();
  return useEventStream('/api/propagation/events', (event, data) => {
    if (event === 'regions') {
      queryClient.setQueryData(regionsQuery().queryKey, data as { regions: RegionHealth[] });
    } else if (event === 'fleet') {
      void queryClient.invalidateQueries({ queryKey: propagationKeys.fleetAll });
    }
  });
}
