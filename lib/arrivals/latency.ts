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

export interface LatencySample {
  latencyMs: number;
  method: 'pubsub' | 'poll';
}

export interface RegionLatency {
  region: string;
  /** How many arrivals the figures are computed from. */
  samples: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  /** What measured them: polls are upper bounds, used only where no message was ever heard. */
  method: LatencySample['method'] | null;
}

/**
 * A poll only says "it had arrived by now", so mixing polls with messages would report the
 * worker's downtime as propagation time. Messages win; a region pub/sub never reaches (possible
 * with managed cross-region replication) is summarised from its polls, and says so.
 */
export function summariseLatencies(
  region: string,
  samples: readonly LatencySample[],
): RegionLatency {
  const byMessage = samples.filter((s) => s.method === 'pubsub');
  const used = byMessage.length > 0 ? byMessage : samples;
  const latencies = used.map((s) => s.latencyMs);
  return {
    region,
    samples: latencies.length,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.length ? Math.max(...latencies) : null,
    method: used.length === 0 ? null : byMessage.length > 0 ? 'pubsub' : 'poll',
  };
}
