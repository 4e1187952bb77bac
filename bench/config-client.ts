/**
 * Benchmarks of the config client against a running devstack (real Redis processes):
 *
 * - benchGetThroughput: `client.get()` against one Redis HGET (+ JSON.parse, which a service needs
 *   to use the body) per request, same run, same replica, as a ratio.
 * - benchSaveToClients: save → every client instance updated, p50/p99 over ≥ 200 saves, against a
 *   30 s TTL cache fed by the same save times (see ttlStaleness for how).
 *
 * Run alone: node --conditions=react-server --import tsx bench/config-client.ts [stack dir]
 * (pushToPrimary is a server-only module; the react-server condition makes it importable).
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { readEnvFile } from '../devstack/stack';
import { connectionAs, endpoints } from '../devstack/endpoints';
import { configKey } from '../lib/contract/cache-layout';
import { checksum } from '../lib/contract/canonical-json';
import { createConfigClient, secretKeysFromEnv, type ConfigClient } from '../lib/config-client';
import { pushToPrimary } from '../lib/propagation/push';
import { defaultConfig } from '../lib/schemas/config';
import { summary } from './stats';
import { chosenStackDir } from '../devstack/state';

export interface BenchTargets {
  primaryUrl: string;
  replicas: { region: string; url: string }[];
  /** The stack's env record: its Redis users (devstack/acl.ts). */
  env: Record<string, string>;
}

/** The endpoints of a devstack, from the env file it wrote. */
export function targetsFromStack(dir: string): BenchTargets {
  const env = readEnvFile(dir);
  const { primary, replicas } = endpoints(env);
  return { primaryUrl: primary.url, replicas, env };
}

const writerOf = (targets: BenchTargets) =>
  new Redis(targets.primaryUrl, connectionAs('writer', targets.primaryUrl, targets.env));

/** A realistic config (the schema's default plus a provider and a webhook), about 1.5 KB. */
function benchConfig(version: number) {
  const c = defaultConfig(`Bench app v${version}`);
  return {
    ...c,
    signIn: {
      ...c.signIn,
      social: [
        {
          provider: 'google' as const,
          clientId: 'bench.apps.example',
          clientSecret: 'bench-gsec-Wq3Er6Ty9Ui2Op5As8Df1Gh4Jk7Lz0X',
        },
      ],
    },
    webhooks: [
      {
        id: 'bench',
        url: 'https://hooks.example.test/bench',
        events: ['user.created' as const],
        signingSecret: 'bench-whsec-Mn5Bv8Cx1Zl4Kj7Hg0Fd3Sa6Qw9Er2T',
      },
    ],
  };
}

async function push(primary: Redis, appId: string, version: number) {
  const data = benchConfig(version);
  await pushToPrimary(primary, {
    appId,
    version,
    checksum: checksum(data),
    data,
    committedAt: new Date(),
  });
}

/** Calls a synchronous `fn` back to back for `ms` and returns calls per second. */
function syncOpsPerSecond(ms: number, fn: () => void): number {
  const start = performance.now();
  const deadline = start + ms;
  let count = 0;
  while (performance.now() < deadline) {
    // Batches keep the clock reads from dominating a nanosecond operation.
    for (let i = 0; i < 1_000; i += 1) fn();
    count += 1_000;
  }
  return count / ((performance.now() - start) / 1000);
}

/** Runs `concurrency` loops of an async `fn` for `ms` and returns calls per second. */
async function asyncOpsPerSecond(
  ms: number,
  fn: () => Promise<void>,
  concurrency = 1,
): Promise<number> {
  const start = performance.now();
  const deadline = start + ms;
  let count = 0;
  const loop = async () => {
    while (performance.now() < deadline) {
      await fn();
      count += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return count / ((performance.now() - start) / 1000);
}

export async function benchGetThroughput(
  targets: BenchTargets,
  options: { durationMs?: number } = {},
) {
  const durationMs = options.durationMs ?? 2_000;
  const replica = targets.replicas[0];
  if (!replica) throw new Error('no replica region to read from');
  const appId = `bench-get-${randomBytes(4).toString('hex')}`;
  const primary = writerOf(targets);
  const reader = new Redis(replica.url, connectionAs('reader', replica.url, targets.env));
  const client = createConfigClient({
    redisUrl: replica.url,
    connection: connectionAs('reader', replica.url, targets.env),
    secretKeys: secretKeysFromEnv(targets.env),
    region: replica.region,
  });
  try {
    await push(primary, appId, 1);
    await client.ready(appId);
    let sink = 0;
    const getOps = syncOpsPerSecond(durationMs, () => {
      sink += client.get(appId).version;
    });
    const hgetOps = await asyncOpsPerSecond(durationMs, async () => {
      const body = await reader.hget(configKey(appId), 'body');
      sink += body ? (JSON.parse(body) as object) && 1 : 0;
    });
    // A busy service has many requests in flight: Redis then batches, which flatters HGET.
    const hget64Ops = await asyncOpsPerSecond(
      durationMs,
      async () => {
        const body = await reader.hget(configKey(appId), 'body');
        sink += body ? (JSON.parse(body) as object) && 1 : 0;
      },
      64,
    );
    if (sink < 0) console.log(sink); // keeps the loops from being optimised away
    return {
      replica: replica.region,
      getOpsPerSec: Math.round(getOps),
      hgetParseOpsPerSec: Math.round(hgetOps),
      hgetParse64InFlightOpsPerSec: Math.round(hget64Ops),
      ratioVsHget: Math.round(getOps / hgetOps),
      ratioVsHget64InFlight: Math.round(getOps / hget64Ops),
      note: 'HGET of the body plus JSON.parse per request, over loopback to a replica on this machine; a real network adds its round trip to every HGET and nothing to get().',
    };
  } finally {
    await client.close();
    await primary.del(configKey(appId));
    await Promise.all([primary.quit(), reader.quit()]);
  }
}

/**
 * The old world: every instance caches the config for `ttlMs` and reloads when the entry expires.
 * Each instance's reload phase is independent of the saves (uniformly random), so after a save at
 * time t it serves the old version until its next reload: delay = (phase − t) mod ttl, plus one
 * read. Simulated over the same save times and instance count as the real run, then also over
 * 10 000 instances so the percentiles do not hinge on a handful of random phases.
 */
export function ttlStaleness(
  saveTimes: number[],
  instances: number,
  ttlMs: number,
  readMs: number,
) {
  const simulate = (count: number) => {
    const delays: number[] = [];
    for (let i = 0; i < count; i += 1) {
      const phase = Math.random() * ttlMs;
      for (const t of saveTimes) delays.push(((((phase - t) % ttlMs) + ttlMs) % ttlMs) + readMs);
    }
    return summary(delays);
  };
  return {
    ttlMs,
    sameInstances: simulate(instances),
    manyInstances: simulate(10_000),
    analytic: { p50Ms: ttlMs / 2, p99Ms: ttlMs * 0.99 },
  };
}

export async function benchSaveToClients(
  targets: BenchTargets,
  options: { saves?: number; perRegion?: number; spacingMs?: number; ttlMs?: number } = {},
) {
  const saves = options.saves ?? 200;
  const perRegion = options.perRegion ?? 2;
  // Saves spread over at least one TTL, so the baseline sees every reload phase.
  const spacingMs = options.spacingMs ?? 150;
  const ttlMs = options.ttlMs ?? 30_000;
  const appId = `bench-save-${randomBytes(4).toString('hex')}`;
  const primary = writerOf(targets);
  const clients: ConfigClient[] = [];
  const savedAt = new Map<number, number>();
  const delays: number[] = [];
  const bySource = new Map<string, number>();
  const byRegion = new Map<string, number[]>();
  let pending: { version: number; left: number; done: () => void } | null = null;
  try {
    await push(primary, appId, 1);
    for (const replica of targets.replicas) {
      for (let i = 0; i < perRegion; i += 1) {
        const client = createConfigClient({
          redisUrl: replica.url,
          connection: connectionAs('reader', replica.url, targets.env),
          secretKeys: secretKeysFromEnv(targets.env),
          region: replica.region,
        });
        client.onChange(({ current, source }) => {
          if (!current) return;
          const at = savedAt.get(current.version);
          if (at === undefined) return;
          const delay = performance.now() - at;
          delays.push(delay);
          const regionDelays = byRegion.get(replica.region) ?? [];
          regionDelays.push(delay);
          byRegion.set(replica.region, regionDelays);
          bySource.set(source, (bySource.get(source) ?? 0) + 1);
          if (pending && current.version >= pending.version && --pending.left === 0) pending.done();
        });
        clients.push(client);
        await client.ready(appId);
      }
    }
    const saveTimes: number[] = [];
    let missed = 0;
    const started = performance.now();
    for (let version = 2; version < saves + 2; version += 1) {
      const reached = new Promise<void>((resolve) => {
        pending = { version, left: clients.length, done: resolve };
      });
      const at = performance.now();
      savedAt.set(version, at);
      saveTimes.push(at - started);
      await push(primary, appId, version);
      const timeout = new Promise<'timeout'>((resolve) =>
        setTimeout(() => resolve('timeout'), 5_000),
      );
      if ((await Promise.race([reached, timeout])) === 'timeout') missed += 1;
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, spacingMs - (performance.now() - at))),
      );
    }
    const readStart = performance.now();
    await primary.hgetall(configKey(appId));
    const readMs = performance.now() - readStart;
    return {
      saves,
      instances: clients.length,
      regions: targets.replicas.map((r) => r.region),
      configClient: {
        ...summary(delays),
        missed,
        bySource: Object.fromEntries(bySource),
        byRegion: Object.fromEntries(
          [...byRegion].map(([region, values]) => [region, summary(values)]),
        ),
      },
      ttlBaseline: ttlStaleness(saveTimes, clients.length, ttlMs, readMs),
      note: 'Save = pushToPrimary (CAS + PUBLISH). Updated = the client swapped the verified version in (onChange). The devstack link delay of each region applies.',
    };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await primary.del(configKey(appId));
    await primary.quit();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2] ?? chosenStackDir();
  const targets = targetsFromStack(dir);
  console.log(
    JSON.stringify(
      { get: await benchGetThroughput(targets), save: await benchSaveToClients(targets) },
      null,
      2,
    ),
  );
}
