/**
 * Many browsers watching one app over Server-Sent Events while it is saved once a second, against
 * a running `next start`: how long after the last region received a save every watcher had its
 * "in sync" event (p50/p99 over every watcher and save), and the Next process's CPU and memory
 * meanwhile.
 *
 * The last region's arrival is when its update message reached this process's subscription on
 * that region (a message arrives right behind the data it announces); a watcher's time is when its
 * event with that head and `allInSync` was read here. Both clocks are this process's, so the
 * figure includes the benchmark's own work of reading 1 000 streams on a shared machine.
 */
import http from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { arrivalWatch, type Modules } from './propagation';
import { round, summary } from './stats';

/** Each principal may hold this many streams (lib/propagation/watch-limits.ts). */
const STREAMS_PER_TOKEN = 16;
const CLOCK_TICKS_PER_SECOND = 100;

interface ProcessSample {
  cpuTicks: number;
  rssBytes: number;
}

/** CPU time and resident memory of a process and its descendants, from /proc. */
function sampleTree(rootPid: number): ProcessSample {
  const parents = new Map<number, number>();
  const stats = new Map<number, { ticks: number; rss: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const raw = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name is in parentheses and may contain spaces: split after it.
      const fields = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
      const pid = Number(name);
      parents.set(pid, Number(fields[1]));
      const ticks = Number(fields[11]) + Number(fields[12]);
      stats.set(pid, { ticks, rss: Number(fields[21]) * 4096 });
    } catch {
      // The process ended while listed.
    }
  }
  const inTree = (pid: number): boolean => {
    for (let p: number | undefined = pid; p && p > 1; p = parents.get(p))
      if (p === rootPid) return true;
    return false;
  };
  let cpuTicks = 0;
  let rssBytes = 0;
  for (const [pid, s] of stats) {
    if (!inTree(pid)) continue;
    cpuTicks += s.ticks;
    rssBytes += s.rss;
  }
  return { cpuTicks, rssBytes };
}

interface Watcher {
  /** performance.now() of the first in-sync event per head version. */
  inSyncAt: Map<number, number>;
  request: http.ClientRequest;
}

function openWatcher(
  url: string,
  token: string,
  agent: http.Agent,
  ready: () => void,
  failed: (error: Error) => void,
): Watcher {
  const inSyncAt = new Map<number, number>();
  const request = http.get(
    url,
    { agent, headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } },
    (response) => {
      if (response.statusCode !== 200) {
        failed(new Error(`stream answered ${response.statusCode}`));
        response.resume();
        return;
      }
      response.setEncoding('utf8');
      let buffer = '';
      let first = true;
      response.on('data', (chunk: string) => {
        const at = performance.now();
        buffer += chunk;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
          if (first && event.startsWith('event: status')) {
            first = false;
            ready();
          }
          // Only the head's version and allInSync are needed: no full parse per event.
          if (!event.includes('"allInSync":true')) continue;
          const version = /"head":\{"version":(\d+)/.exec(event)?.[1];
          if (version && !inSyncAt.has(Number(version))) inSyncAt.set(Number(version), at);
        }
      });
    },
  );
  request.on('error', failed);
  return { inSyncAt, request };
}

/** The cumulative buckets of the server's fan-out histogram (lib/metrics.ts), by upper bound. */
async function fanoutBuckets(baseUrl: string, token: string): Promise<Map<number, number>> {
  const response = await fetch(new URL('/api/metrics', baseUrl), {
    headers: { authorization: `Bearer ${token}` },
  });
  const text = await response.text();
  const buckets = new Map<number, number>();
  for (const m of text.matchAll(
    /^propagate_status_fanout_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm,
  )) {
    buckets.set(m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2]));
  }
  return buckets;
}

/**
 * The server's share during the run: update message in → every watcher's event queued, as the
 * bucket bound under which 50 % and 99 % of the fan-outs fell.
 */
function fanoutSummary(before: Map<number, number>, after: Map<number, number>) {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const count = (bound: number) => (after.get(bound) ?? 0) - (before.get(bound) ?? 0);
  const total = count(Infinity);
  const upTo = (q: number) => {
    const bound = bounds.find((b) => count(b) >= q * total);
    return bound === undefined || bound === Infinity ? null : round(bound * 1_000);
  };
  return { fanouts: total, p50AtMostMs: upTo(0.5), p99AtMostMs: upTo(0.99) };
}

export async function benchStreamWatchers({
  m,
  baseUrl,
  nextPid,
  appId,
  tenantId,
  watchers = 1_000,
  saves = 60,
  metricsToken,
}: {
  m: Modules;
  baseUrl: string;
  nextPid: number;
  appId: string;
  tenantId: string;
  watchers?: number;
  saves?: number;
  metricsToken: string;
}) {
  const { createApiToken } = await import('../lib/db/api-tokens');
  const tokens = await Promise.all(
    Array.from({ length: Math.ceil(watchers / STREAMS_PER_TOKEN) }, (_, i) =>
      createApiToken({
        tenantId,
        name: `bench watchers ${i}`,
        scope: 'read',
        createdBy: { userId: 'bench', name: 'npm run bench', email: 'bench@propagate.test' },
      }).then((t) => t.secret),
    ),
  );
  const url = new URL(`/api/apps/${encodeURIComponent(appId)}/propagation/events`, baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const c = await m.collections.collections();
  const app = await c.apps.findOne({ _id: appId });
  if (!app) throw new Error(`benchStreamWatchers: no app ${appId}`);
  const watch = await arrivalWatch(m, appId);
  const open: Watcher[] = [];
  let failures = 0;
  try {
    const connectStarted = performance.now();
    await Promise.all(
      Array.from(
        { length: watchers },
        (_, i) =>
          new Promise<void>((resolve) => {
            const token = tokens[Math.floor(i / STREAMS_PER_TOKEN)] ?? '';
            open.push(
              openWatcher(url.toString(), token, agent, resolve, () => {
                failures += 1;
                resolve();
              }),
            );
          }),
      ),
    );
    const connectMs = performance.now() - connectStarted;
    const author = { userId: 'bench', name: 'Watchers bench', email: 'bench@propagate.test' };
    const fanoutBefore = await fanoutBuckets(baseUrl, metricsToken);
    const before = sampleTree(nextPid);
    const startedAt = performance.now();
    let peakRss = before.rssBytes;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, sampleTree(nextPid).rssBytes);
    }, 500);
    const lastArrival = new Map<number, number>();
    try {
      for (let i = 0; i < saves; i += 1) {
        const tick = performance.now();
        const head = await m.heads.readHead(appId);
        const outcome = await m.versions.commitVersion({
          app,
          expectedVersion: head?.version ?? 0,
          data: m.schema.defaultConfig(`${appId} watchers #${i}`),
          author,
          message: `watchers bench ${i}`,
        });
        if (outcome.status !== 'committed') throw new Error('bench save conflicted');
        const version = outcome.doc.version;
        const arrived = watch.everywhere(version);
        await m.push.pushVersion(outcome.doc);
        void arrived.then((at) => lastArrival.set(version, Math.max(...at.values())));
        await new Promise((resolve) =>
          setTimeout(resolve, Math.max(0, 1_000 - (performance.now() - tick))),
        );
      }
      // The last save's events.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
    } finally {
      clearInterval(sampler);
    }
    const after = sampleTree(nextPid);
    const serverFanout = fanoutSummary(fanoutBefore, await fanoutBuckets(baseUrl, metricsToken));
    const elapsedS = (performance.now() - startedAt) / 1_000;
    const delays: number[] = [];
    let missed = 0;
    for (const [version, arrivedAt] of lastArrival) {
      for (const watcher of open) {
        const at = watcher.inSyncAt.get(version);
        if (at === undefined) missed += 1;
        else delays.push(Math.max(0, at - arrivedAt));
      }
    }
    const delay = summary(delays);
    return {
      watchers,
      tokens: tokens.length,
      streamFailures: failures,
      connectAllMs: round(connectMs),
      saves,
      savesArrivedEverywhere: lastArrival.size,
      lastRegionToEveryWatcher: delay,
      goal: 'p99 ≤ 250 ms',
      missedInSyncEvents: missed,
      /** Of that, the Next server's own part (propagate_status_fanout_seconds). */
      serverFanout,
      nextProcess: {
        cpuPercentOfOneCore: round(
          ((after.cpuTicks - before.cpuTicks) / CLOCK_TICKS_PER_SECOND / elapsedS) * 100,
        ),
        rssMbBefore: round(before.rssBytes / 2 ** 20),
        rssMbPeak: round(peakRss / 2 ** 20),
        rssMbAfter: round(after.rssBytes / 2 ** 20),
      },
      note:
        'Every watcher is a real HTTP SSE connection to next start, read in this one benchmark process; a watcher time ' +
        'is when its in-sync event was parsed here, so the figure includes reading 1 000 streams on a shared 2-core machine.',
    };
  } finally {
    for (const watcher of open) watcher.request.destroy();
    agent.destroy();
    await watch.close();
    await c.apiTokens.deleteMany({ name: /^bench watchers / });
  }
}
