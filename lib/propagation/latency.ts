/**
 * Latency summaries, pure so they are tested without a database. Nearest-rank percentiles: with
 * few samples p99 is simply the worst one, which is what a person reading the chart expects.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? null;
}

export interface RegionLatency {
  region: string;
  /** How many arrivals the figures are computed from. */
  samples: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

export function summariseLatencies(region: string, latencies: readonly number[]): RegionLatency {
  return {
    region,
    samples: latencies.length,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.length ? Math.max(...latencies) : null,
  };
}
