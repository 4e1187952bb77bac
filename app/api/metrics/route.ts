import { metricsResponse } from '@/lib/api/metrics-response';

export const dynamic = 'force-dynamic';

/** Prometheus scrape target: bearer PROPAGATE_METRICS_TOKEN (docs/observability.md). */
export function GET(request: Request): Promise<Response> {
  return metricsResponse(request);
}
