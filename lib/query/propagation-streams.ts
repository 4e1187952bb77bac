'use client';

import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { AppPropagationStatus } from '@/lib/propagation/app-status';
import {
  applyFleetRowChanges,
  type FleetPage,
  type FleetStreamEvent,
} from '@/lib/propagation/fleet-status';
import { useEventStream, type StreamState } from '@/lib/query/event-stream';
import { appPropagationQuery, propagationKeys, type FleetFilters } from '@/lib/query/propagation';
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
 * A fleet page's order (apps not in sync first) and its counts are the server's: when an app's
 * place may have moved, the page is read again, at most this often (the rows themselves change
 * at once).
 */
export const ORDER_REFRESH_MS = 1_000;

/** The last `fleet` event's number on the scope stream (-1: none yet). */
let lastSeq = -1;
/** While a refresh cools down: the tenants whose pages are to be read again when it ends. */
let orderRefresh: Set<string> | null = null;

/**
 * Reads again the fleet pages showing these tenants' apps (not the apps list's lookups by id,
 * whose order nobody reads): now, and at most once per ORDER_REFRESH_MS.
 */
function refreshFleetOrder(queryClient: QueryClient, tenants: ReadonlySet<string>): void {
  if (orderRefresh) {
    for (const tenant of tenants) orderRefresh.add(tenant);
    return;
  }
  void queryClient.invalidateQueries({
    queryKey: propagationKeys.fleetAll,
    predicate: ({ queryKey }) => {
      const filters = (queryKey[2] ?? {}) as FleetFilters;
      return !filters.apps && (!filters.tenant || tenants.has(filters.tenant));
    },
  });
  const pending = (orderRefresh = new Set());
  setTimeout(() => {
    orderRefresh = null;
    if (pending.size > 0) refreshFleetOrder(queryClient, pending);
  }, ORDER_REFRESH_MS);
}

/**
 * A `fleet` event into the cache: every cached fleet page takes the changed rows it shows; a
 * page where a change may move rows (an app's states changed) is read again, throttled; a gap in
 * the numbering (a reconnect, events missed) or too many changes reads every page again.
 */
export function applyFleetEvent(queryClient: QueryClient, event: FleetStreamEvent): void {
  const expected = lastSeq + 1;
  lastSeq = event.seq;
  if (event.seq === 0 || event.seq !== expected || 'overflow' in event) {
    void queryClient.invalidateQueries({ queryKey: propagationKeys.fleetAll });
    return;
  }
  queryClient.setQueriesData<FleetPage>(
    { queryKey: propagationKeys.fleetAll },
    (page) => page && applyFleetRowChanges(page, event.rows),
  );
  const moved = new Set(event.rows.filter((r) => r.moved).map((r) => r.tenantId));
  if (moved.size > 0) refreshFleetOrder(queryClient, moved);
}

/**
 * The caller's scope (their tenant, or everything for support): region health goes straight
 * into the cache, and so do the rows of changed apps (lists and fleet pages update in place).
 */
export function useScopeStream(): StreamState {
  const queryClient = useQueryClient();
  return useEventStream(
    '/api/propagation/events',
    (event, data) => {
      if (event === 'regions') {
        queryClient.setQueryData(regionsQuery().queryKey, data as { regions: RegionHealth[] });
      } else if (event === 'fleet') {
        applyFleetEvent(queryClient, data as FleetStreamEvent);
      }
    },
    // Every row of the apps list listens: the cache takes each event once.
    { once: 'scope-cache' },
  );
}
