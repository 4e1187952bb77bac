/**
 * Load on the status API as open dashboards cause it: `dashboards` clients each polling one app's
 * propagation status every `intervalMs` (what the panel does while a version is on its way), for
 * `durationS`, against a running `next start`. Reports errors and p50/p99 latency.
 *
 * Run alone: node --import tsx bench/status-load.ts <baseUrl> <appId> (--token prp_… | --cookie '…')
 */
import { createRequire } from 'node:module';
import os from 'node:os';

interface AutocannonResult {
  requests: { total: number; average: number };
  latency: { p50: number; p99: number; max: number; average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;

// autocannon ships no types; only the fields read below are declared.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface StatusLoadOptions {
  baseUrl: string;
  appId: string;
  /** A bearer API token of the app's tenant (read scope is enough)… */
  token?: string;
  /** …or a signed-in session's Cookie header. */
  cookie?: string;
  dashboards?: number;
  intervalMs?: number;
  durationS?: number;
}

export async function benchStatusLoad({
  baseUrl,
  appId,
  token,
  cookie,
  dashboards = 200,
  intervalMs = 500,
  durationS = 60,
}: StatusLoadOptions) {
  if (!token && !cookie) throw new Error('benchStatusLoad: pass an API token or a session cookie');
  const url = new URL(`/api/apps/${encodeURIComponent(appId)}/propagation`, baseUrl).toString();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  else if (cookie) headers.cookie = cookie;
  // Dashboards arrive over time, not in the millisecond the server starts: one status answer
  // first (the observer has loaded), then the load.
  for (let attempt = 0; ; attempt += 1) {
    const response = await fetch(url, { headers }).catch(() => null);
    if (response?.ok) break;
    if (attempt >= 60) throw new Error(`benchStatusLoad: ${url} never answered 200`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  // The baseline in the same run: /api/health (no auth, no status) under the same load, so the
  // ratio of the two p99s says what the status path adds, whatever else the machine is doing.
  const [result, health] = await Promise.all([
    autocannon({
      url,
      headers,
      connections: dashboards,
      // Each connection is one dashboard asking on its own schedule.
      connectionRate: 1_000 / intervalMs,
      duration: durationS,
      timeout: 10,
    }),
    autocannon({
      url: new URL('/api/health', baseUrl).toString(),
      connections: 5,
      connectionRate: 1_000 / intervalMs,
      duration: durationS,
      timeout: 10,
    }),
  ]);
  return {
    machine: {
      node: process.version,
      cpus: os.cpus().length,
      loadAverage1m: Number((os.loadavg()[0] ?? 0).toFixed(2)),
    },
    dashboards,
    intervalMs,
    durationS: result.duration,
    requests: result.requests.total,
    requestsPerSecond: result.requests.average,
    errors: result.errors + result.timeouts + result.non2xx,
    errorsByKind: { connection: result.errors, timeouts: result.timeouts, non2xx: result.non2xx },
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    healthUnderLoad: {
      requests: health.requests.total,
      errors: health.errors + health.timeouts + health.non2xx,
      latencyMs: { p50: health.latency.p50, p99: health.latency.p99 },
    },
    statusP99OverHealthP99:
      health.latency.p99 > 0 ? Number((result.latency.p99 / health.latency.p99).toFixed(2)) : null,
    note:
      'Status answers come from the status observer; the caller is verified from the per-process auth cache and the ' +
      "app's tenant from the snapshot, so a fresh read does no Redis or MongoDB I/O. /api/health does no auth.",
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [baseUrl, appId, ...rest] = process.argv.slice(2);
  const flag = (name: string) => {
    const i = rest.indexOf(name);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  if (!baseUrl || !appId) {
    console.error(
      'usage: bench/status-load.ts <baseUrl> <appId> (--token T | --cookie C) [--dashboards N] [--seconds S]',
    );
    process.exit(2);
  }
  const result = await benchStatusLoad({
    baseUrl,
    appId,
    token: flag('--token'),
    cookie: flag('--cookie'),
    dashboards: Number(flag('--dashboards') ?? 200),
    durationS: Number(flag('--seconds') ?? 60),
  });
  console.log(JSON.stringify(result, null, 2));
}
