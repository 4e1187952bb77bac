import 'server-only';
import { createHash, timingSafeEqual } from 'node:crypto';
import { outboxStats } from '@/lib/db/outbox';
import { env } from '@/lib/env';
import { errorFields, log } from '@/lib/log';
import { metrics } from '@/lib/metrics';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Constant-time comparison of the bearer token with PROPAGATE_METRICS_TOKEN. */
function authorized(header: string | null, token: string): boolean {
  const given = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
  return given !== undefined && timingSafeEqual(digest(given), digest(token));
}

/**
 * The process's metrics in Prometheus' text format, for `GET /api/metrics` and the worker's
 * metrics port. Without PROPAGATE_METRICS_TOKEN the endpoint does not exist (404); without the
 * token in `Authorization: Bearer` it is 401. The outbox gauges are read from MongoDB at scrape
 * time, so every process reports the same outbox.
 */
export async function metricsResponse(request: Request): Promise<Response> {
  const token = env.PROPAGATE_METRICS_TOKEN;
  const headers = { 'cache-control': 'no-store' };
  if (!token) return new Response('Not found\n', { status: 404, headers });
  if (!authorized(request.headers.get('authorization'), token)) {
    return new Response('Unauthorized\n', {
      status: 401,
      headers: { ...headers, 'www-authenticate': 'Bearer realm="metrics"' },
    });
  }
  const m = metrics();
  try {
    const { depth, oldestAt } = await outboxStats();
    m.outboxDepth.set(depth);
    m.outboxOldestSeconds.set(oldestAt ? Math.max(0, Date.now() - oldestAt.getTime()) / 1000 : 0);
  } catch (error) {
    // MongoDB down: the gauges keep their last value; an alert on the scrape itself catches it.
    log.warn({ ...errorFields(error) }, 'metrics: outbox not readable');
  }
  return new Response(await m.registry.metrics(), {
    headers: { ...headers, 'content-type': m.registry.contentType },
  });
}
