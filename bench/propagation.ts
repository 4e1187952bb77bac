/**
 * Propagation benchmarks against a running devstack (real redis-server primary and replicas behind
 * their link proxies, MongoDB over the wire):
 *
 * - benchSaveToInSync: save (MongoDB commit + compare-and-set push) → every region holds the new
 *   version, p50/p99 over ≥ 200 saves, with the stack's link delays as configured and again with
 *   50 ms added on one link. A region "holds" a version when its invalidation message arrives:
 *   the message replicates right behind the data it announces. Stamps are checked at the end.
 * - benchFleetStatus: the status read of N apps × every region (1, 100, 10 000): the pipelined read
 *   the product uses (one round trip per region) against one HMGET per key, same run, as a ratio.
 *
 * Run alone: node --conditions=react-server --import tsx bench/propagation.ts [stack dir]
 * (the app modules are server-only; the react-server condition makes them importable).
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { fault, readEnvFile, status } from '../devstack/stack';
import { round, summary } from './stats';
import { chosenStackDir } from '../devstack/state';

export function machine() {
  return {
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    loadAverage1m: round(os.loadavg()[0] ?? 0),
    memoryGb: round(os.totalmem() / 2 ** 30),
    note: 'Shared 2-core machine: other suites may run at the same time (see loadAverage1m).',
  };
}

/** Loads the stack's endpoints into process.env before any app module (they validate it on import). */
export function loadStackEnv(stackDir?: string) {
  if (stackDir) Object.assign(process.env, readEnvFile(stackDir));
  process.env.SESSION_SECRET ??= randomBytes(24).toString('hex');
  const dir = stackDir ?? process.env.PROPAGATE_DEVSTACK_DIR;
  if (!dir)
    throw new Error(
      'bench/propagation: no devstack (pass its directory or set PROPAGATE_DEVSTACK_DIR)',
    );
  return dir;
}

export async function appModules() {
  const [apps, versions, heads, collections, push, regions, schema, cache, redis, mongo] =
    await Promise.all([
      import('../lib/db/apps'),
      import('../lib/db/config-versions'),
      import('../lib/db/heads'),
      import('../lib/db/collections'),
      import('../lib/propagation/push-version'),
      import('../lib/regions'),
      import('../lib/schemas/config'),
      import('../lib/contract/cache-layout'),
      import('../lib/redis/clients'),
      import('../lib/db/mongo'),
    ]);
  return { apps, versions, heads, collections, push, regions, schema, cache, redis, mongo };
}

export type Modules = Awaited<ReturnType<typeof appModules>>;

/** Every region's SUBSCRIBE connection, resolving a waiter once all regions have heard a version. */
export async function arrivalWatch(m: Modules, appId: string) {
  const regions = m.regions.listRegions();
  const heard = new Map<number, Map<string, number>>();
  const waiters = new Map<number, (at: Map<string, number>) => void>();
  const subscribers = await Promise.all(
    regions.map(async (region) => {
      const sub = new Redis(region.url, {
        ...m.redis.connectionOptions(region),
        maxRetriesPerRequest: null,
      });
      sub.on('message', (_channel: string, raw: string) => {
        const at = performance.now();
        const message = m.cache.parseUpdateMessage(raw);
        if (!message || message.appId !== appId) return;
        const byRegion = heard.get(message.version) ?? new Map<string, number>();
        byRegion.set(region.name, at);
        heard.set(message.version, byRegion);
        if (byRegion.size === regions.length) waiters.get(message.version)?.(byRegion);
      });
      await sub.subscribe(m.cache.UPDATES_CHANNEL);
      return sub;
    }),
  );
  return {
    regions,
    everywhere(version: number, timeoutMs = 15_000): Promise<Map<string, number>> {
      const done = heard.get(version);
      if (done?.size === regions.length) return Promise.resolve(done);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`v${version} not everywhere in ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.set(version, (at) => {
          clearTimeout(timer);
          resolve(at);
        });
      });
    },
    close: () => Promise.all(subscribers.map((s) => s.quit().catch(() => s.disconnect()))),
  };
}

async function savesToInSync(m: Modules, { saves, warmup }: { saves: number; warmup: number }) {
  const appId = `bench-prop-${randomBytes(4).toString('hex')}`;
  const author = { userId: 'bench', name: 'Propagation bench', email: 'bench@example.test' };
  const { app } = await m.apps.createApp({
    id: appId,
    tenantId: 'bench',
    name: appId,
    description: 'propagation benchmark',
    config: m.schema.defaultConfig(appId),
    author,
    message: 'bench',
  });
  const watch = await arrivalWatch(m, appId);
  const total: number[] = [];
  const afterPush: number[] = [];
  const byRegion = new Map<string, number[]>();
  let notPushed = 0;
  try {
    for (let i = 0; i < warmup + saves; i += 1) {
      const head = await m.heads.readHead(appId);
      const expected = head?.version ?? 0;
      const data = m.schema.defaultConfig(`${appId} #${i}`);
      const started = performance.now();
      const outcome = await m.versions.commitVersion({
        app,
        expectedVersion: expected,
        data,
        author,
        message: `bench ${i}`,
      });
      if (outcome.status !== 'committed') throw new Error('bench save conflicted');
      const arrived = watch.everywhere(outcome.doc.version);
      const pushStarted = performance.now();
      const pushed = await m.push.pushVersion(outcome.doc);
      if (!pushed.pushed) notPushed += 1;
      const at = await arrived;
      if (i < warmup) continue;
      const last = Math.max(...at.values());
      total.push(last - started);
      afterPush.push(last - pushStarted);
      for (const [region, t] of at) {
        const list = byRegion.get(region) ?? [];
        list.push(t - started);
        byRegion.set(region, list);
      }
    }
    // The messages say the data arrived; the stamps must agree.
    const head = await m.heads.readHead(appId);
    const stamps = await Promise.all(
      watch.regions.map(async (r) =>
        m.cache.parseStamp(
          await m.redis.redisFor(r).hmget(m.cache.configKey(appId), ...m.cache.STAMP_FIELDS),
        ),
      ),
    );
    return {
      saves,
      saveToEveryRegion: summary(total),
      pushToEveryRegion: summary(afterPush),
      byRegion: Object.fromEntries(
        [...byRegion].map(([region, values]) => [region, summary(values)]),
      ),
      notPushed,
      stampsMatchHead: stamps.every(
        (s) => s?.version === head?.version && s?.checksum === head?.checksum,
      ),
    };
  } finally {
    await watch.close();
    const c = await m.collections.collections();
    await Promise.all([
      c.apps.deleteOne({ _id: appId }),
      c.configVersions.deleteMany({ appId }),
      c.arrivals.deleteMany({ appId }),
      c.audit.deleteMany({ appId }),
    ]);
    await m.redis.primaryRedis().del(m.cache.configKey(appId));
  }
}

/**
 * Save → every region in sync, with the stack's own link delays, and with `slowLinkMs` on one
 * replica's link (restored afterwards).
 */
export async function benchSaveToInSync({
  saves = 200,
  warmup = 10,
  slowLinkMs = 50,
  stackDir,
}: { saves?: number; warmup?: number; slowLinkMs?: number; stackDir?: string } = {}) {
  if (saves < 200) throw new Error('benchSaveToInSync: measure at least 200 saves');
  const dir = loadStackEnv(stackDir);
  const m = await appModules();
  const slow = m.regions.listRegions().find((r) => r.role === 'replica');
  if (!slow) throw new Error('benchSaveToInSync: the stack has no replica');
  const replicas = ((await status(dir))?.processes ?? []).filter((p) => p.role === 'replica');
  const delays = Object.fromEntries(replicas.map((p) => [p.name, p.delayMs ?? 0]));
  const configuredDelay = delays[slow.name] ?? 0;
  try {
    const asConfigured = await savesToInSync(m, { saves, warmup });
    await fault(dir, slow.name, 'latency', configuredDelay + slowLinkMs);
    const withSlowLink = await savesToInSync(m, { saves, warmup });
    return {
      machine: machine(),
      linkDelaysMs: delays,
      asConfigured,
      withSlowLink: { region: slow.name, addedMs: slowLinkMs, ...withSlowLink },
      note:
        'Save = MongoDB commit + push (Lua compare-and-set + PUBLISH on the primary). A region holds the version when its ' +
        'invalidation message arrives (it replicates right behind the data). Sequential saves, after a warm-up.',
    };
  } finally {
    await fault(dir, slow.name, 'latency', configuredDelay).catch(() => undefined);
    await Promise.all([m.redis.closeRedis(), m.mongo.closeMongo()]);
  }
}

/** One HMGET per key, awaited one after the other: what a status read without pipelining costs. */
export async function unpipelinedRead(redis: Redis, keys: string[], fields: readonly string[]) {
  const out: (string | null)[][] = [];
  for (const key of keys) out.push(await redis.hmget(key, ...fields));
  return out;
}

/**
 * The status read of N apps in every region: the product's pipelined read (readAllRegions: one
 * round trip per region, regions in parallel) against one HMGET per key (regions in parallel too),
 * on the same keys in the same run. Stamps are written straight to the primary for the bench.
 */
export async function benchFleetStatus({
  counts = [1, 100, 10_000],
  repeats = 5,
  stackDir,
}: { counts?: number[]; repeats?: number; stackDir?: string } = {}) {
  loadStackEnv(stackDir);
  const m = await appModules();
  const { readAllRegions } = await import('../lib/propagation/read-stamps');
  const regions = m.regions.listRegions();
  const max = Math.max(...counts);
  const prefix = `bench-fleet-${randomBytes(3).toString('hex')}`;
  const appIds = Array.from({ length: max }, (_, i) => `${prefix}-${i}`);
  const primary = m.redis.primaryRedis();
  const clients = regions.map(
    (r) => new Redis(r.url, { ...m.redis.connectionOptions(r), maxRetriesPerRequest: 1 }),
  );
  try {
    for (let i = 0; i < appIds.length; i += 1_000) {
      const pipeline = primary.pipeline();
      for (const appId of appIds.slice(i, i + 1_000)) {
        pipeline.hset(m.cache.configKey(appId), {
          version: '1',
          checksum: 'c'.repeat(64),
          committedAt: String(Date.now()),
          pushedAt: String(Date.now()),
        });
      }
      await pipeline.exec();
    }
    // Let every replica catch up before timing reads there.
    await primary.wait(regions.length - 1, 10_000);
    const results = [];
    for (const n of counts) {
      const ids = appIds.slice(0, n);
      const keys = ids.map(m.cache.configKey);
      const pipelined: number[] = [];
      const perKey: number[] = [];
      for (let r = 0; r < repeats; r += 1) {
        let started = performance.now();
        const read = await readAllRegions(ids, { timeoutMs: 30_000 });
        pipelined.push(performance.now() - started);
        if (!read.regions.every((x) => x.reachable && x.stamps.every((s) => s?.version === 1))) {
          const what = read.regions.map(
            (x) =>
              `${x.region.name}: ${x.reachable ? `${x.stamps.filter((st) => st?.version !== 1).length} missing` : x.error}`,
          );
          throw new Error(
            `benchFleetStatus: a pipelined read of ${n} apps came back incomplete (${what.join('; ')})`,
          );
        }
        started = performance.now();
        await Promise.all(clients.map((c) => unpipelinedRead(c, keys, m.cache.STAMP_FIELDS)));
        perKey.push(performance.now() - started);
      }
      const p = summary(pipelined);
      const k = summary(perKey);
      results.push({
        apps: n,
        regions: regions.length,
        pipelinedMs: p,
        oneHmgetPerKeyMs: k,
        ratioP50: round(k.p50Ms / p.p50Ms),
      });
    }
    return {
      machine: machine(),
      repeats,
      results,
      note:
        'Pipelined = the product read (HMGET per app + INFO replication in one pipeline per region, regions in parallel). ' +
        'Per key = one awaited HMGET per app per region (regions in parallel). Loopback: a real network multiplies the per-key cost by its round trip.',
    };
  } finally {
    for (let i = 0; i < appIds.length; i += 1_000)
      await primary.del(...appIds.slice(i, i + 1_000).map(m.cache.configKey));
    await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
    await Promise.all([m.redis.closeRedis(), m.mongo.closeMongo()]);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const stackDir = process.argv[2] ?? chosenStackDir();
  const fleet = await benchFleetStatus({ stackDir });
  const saves = await benchSaveToInSync({ stackDir });
  console.log(JSON.stringify({ fleetStatus: fleet, saveToInSync: saves }, null, 2));
}
