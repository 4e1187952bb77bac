import { queryOptions } from '@tanstack/react-query';
import type { AppPropagationStatus } from '@/lib/propagation/app-status';
import type { FleetPage } from '@/lib/propagation/fleet-status';
import type { RegionLatency } from '@/lib/arrivals/latency';
import type { RegionStateName } from '@/lib/model/region-states';
import type { StreamState } from '@/lib/query/event-stream';
import { fetchJson } from '@/lib/query/query-client';

/**
 * Status reaches the browser pushed (Server-Sent Events, lib/query/propagation-streams.ts);
 * these intervals apply only while a stream is down: fast while a version is on its way, slow
 * once every region agrees.
 */
export const FAST_POLL_MS = 500;
export const SLOW_POLL_MS = 5_000;

export const propagationKeys = {
  all: ['propagation'] as const,
  app: (appId: string) => ['propagation', 'app', appId] as const,
  fleetAll: ['propagation', 'fleet'] as const,
  fleet: (filters: FleetFilters) => ['propagation', 'fleet', filters] as const,
  latency: (appId: string | null) => ['propagation', 'latency', appId] as const,
};

// React Query pauses every interval below while the tab is hidden (refetchIntervalInBackground
// stays false), so a forgotten tab costs nothing. While the app's stream is up the query does
// not fetch at all: the stream writes every status into its cache.
export const appPropagationQuery = (appId: string, stream: StreamState = 'down') =>
  queryOptions({
    queryKey: propagationKeys.app(appId),
    queryFn: ({ signal }) =>
      fetchJson<AppPropagationStatus>(`/api/apps/${encodeURIComponent(appId)}/propagation`, {
        signal,
      }),
    enabled: stream === 'down',
    refetchInterval: (query) => (query.state.data?.allInSync ? SLOW_POLL_MS : FAST_POLL_MS),
    // Coming back to the tab (e.g. after saving in another one) asks at once, however fresh.
    refetchOnWindowFocus: 'always',
  });

export interface FleetFilters {
  tenant?: string;
  /** Comma-separated app ids: only these apps. */
  apps?: string;
  state?: RegionStateName;
  region?: string;
  deployment?: string;
  limit?: number;
  offset?: number;
}

function fleetUrl(filters: FleetFilters): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `/api/propagation?${qs}` : '/api/propagation';
}

/**
 * While the stream is up a page is read once, then kept current by the scope stream's rows
 * (lib/query/propagation-streams.ts), read again when rows may have moved or events were
 * missed, and every FLEET_RESYNC_MS in any case (the counts and ages at the top are the
 * server's). Polled only while the stream is down.
 */
export const FLEET_RESYNC_MS = 30_000;

export const fleetPropagationQuery = (filters: FleetFilters = {}, stream: StreamState = 'down') =>
  queryOptions({
    queryKey: propagationKeys.fleet(filters),
    queryFn: ({ signal }) => fetchJson<FleetPage>(fleetUrl(filters), { signal }),
    refetchInterval: (query) =>
      stream !== 'down'
        ? FLEET_RESYNC_MS
        : (query.state.data?.notInSync ?? 0) > 0
          ? 1_000
          : SLOW_POLL_MS,
    placeholderData: (previous) => previous,
  });

export interface LatencyResponse {
  regions: RegionLatency[];
  since: number;
  hours: number;
  appId: string | null;
}

export const latencyQuery = (appId: string | null) =>
  queryOptions({
    queryKey: propagationKeys.latency(appId),
    queryFn: ({ signal }) =>
      fetchJson<LatencyResponse>(
        appId ? `/api/latency?appId=${encodeURIComponent(appId)}` : '/api/latency',
        {
          signal,
        },
      ),
    refetchInterval: 15_000,
  });
