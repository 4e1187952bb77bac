/**
 * The fleet read from the status observer's snapshot (what /api/propagation answers with) for
 * 1, 100, 10 000 and 100 000 apps × every region, against one HMGET per key per region measured
 * in the same run, and the observer's heap at each size.
 *
 * Apps are bulk-inserted into MongoDB (app record + version 1, already pushed) and their cache
 * entries written on the primary, so every replica holds them; all removed afterwards.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Redis } from 'ioredis';
import { appModules, loadStackEnv, machine, unpipelinedRead } from './propagation';
import { insertBenchApps } from './seed-apps';
import { round, summary } from './stats';

/** A full GC without starting node with --expose-gc: the flag set at run time, gc from a fresh context. */
function collectGarbage(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

const heapUsedAfterGc = (gc: () => void) => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

export async function benchObserverFleet({
  counts = [1, 100, 10_000, 100_000],
  repeats = 50,
  /** Above this many apps the per-key baseline reads this many and scales up linearly. */
  baselineSample = 10_000,
  stackDir,
}: {
  counts?: number[];
  repeats?: number;
  baselineSample?: number;
  stackDir?: string;
} = {}) {
  loadStackEnv(stackDir);
  const m = await appModules();
  const { createObserver } = await import('../lib/propagation/observer/instance');
  const { readFleet } = await import('../lib/propagation/read-status');
  const { fleetQuerySchema } = await import('../lib/schemas/propagation');
  const { canonicalJson } = await import('../lib/contract/canonical-json');
  const gc = collectGarbage();
  const regions = m.regions.listRegions();
  const c = await m.collections.collections();
  const primary = m.redis.primaryRedis();
  const clients = regions.map(
    (r) => new Redis(r.url, { ...m.redis.connectionOptions(r), maxRetriesPerRequest: 1 }),
  );
  const tenantId = `bench-fleet-${randomBytes(3).toString('hex')}`;
  const appIds: string[] = [];
  // The route's default page: the same filter a dashboard sends without parameters.
  const filter = fleetQuerySchema.parse({});

  /** Seeds apps up to `n`: MongoDB first (app + pushed version 1), then the primary cache. */
  async function seedTo(n: number) {
    for (let from = appIds.length; from < n; from += 1_000) {
      const ids = Array.from(
        { length: Math.min(1_000, n - from) },
        (_, i) => `${tenantId}-${String(from + i).padStart(6, '0')}`,
      );
      const { docs: inserted, at: now } = await insertBenchApps(c, {
        tenantId,
        ids,
        description: 'observer benchmark',
      });
      const docs = inserted.map((d) => ({ ...d, body: canonicalJson(d.data) }));
      const pipeline = primary.pipeline();
      for (const d of docs) {
        pipeline.hset(m.cache.configKey(d.id), {
          version: '1',
          checksum: d.sum,
          body: d.body,
          committedAt: String(now.getTime()),
          pushedAt: String(now.getTime()),
        });
      }
      await pipeline.exec();
      appIds.push(...ids);
    }
    await primary.wait(regions.length - 1, 30_000);
  }

  try {
    const results = [];
    for (const n of counts) {
      let t = performance.now();
      await seedTo(n);
      const seedS = round((performance.now() - t) / 1000, 1);

      const before = heapUsedAfterGc(gc);
      t = performance.now();
      const observer = createObserver({ regions, log: () => {} });
      let observerMb: number;
      let loadS: number;
      const observed: number[] = [];
      let page;
      try {
        await observer.ready();
        loadS = round((performance.now() - t) / 1000, 1);
        observerMb = round((heapUsedAfterGc(gc) - before) / 2 ** 20, 1);
        for (let r = 0; r < repeats + 5; r += 1) {
          const started = performance.now();
          page = await readFleet(filter, { observer });
          if (r >= 5) observed.push(performance.now() - started);
        }
      } finally {
        await observer.stop();
      }
      if (!page || page.total < n || page.apps.length !== Math.min(filter.limit, page.total))
        throw new Error(`benchObserverFleet: the fleet page of ${n} apps came back short`);
      const ours = page.apps.filter((a) => a.tenantId === tenantId);
      if (ours.some((a) => a.worst !== 'in_sync'))
        throw new Error(`benchObserverFleet: a seeded app is not in sync at ${n} apps`);

      const sampled = Math.min(n, baselineSample);
      const keys = appIds.slice(0, sampled).map(m.cache.configKey);
      const scale = n / sampled;
      const perKey: number[] = [];
      for (let r = 0; r < Math.min(repeats, n > 1_000 ? 3 : repeats); r += 1) {
        const started = performance.now();
        await Promise.all(clients.map((cl) => unpipelinedRead(cl, keys, m.cache.STAMP_FIELDS)));
        perKey.push((performance.now() - started) * scale);
      }
      const o = summary(observed);
      const k = summary(perKey);
      results.push({
        apps: n,
        appsInSnapshot: page.total,
        regions: regions.length,
        pageLimit: filter.limit,
        seedS,
        observerLoadS: loadS,
        observerFleetReadMs: o,
        oneHmgetPerKeyMs: {
          ...k,
          ...(scale > 1 ? { extrapolatedFrom: sampled, factor: round(scale) } : {}),
        },
        ratioP50: round(k.p50Ms / o.p50Ms),
        ratioP99: round(k.p99Ms / o.p99Ms),
        observerHeapMb: observerMb,
      });
    }
    return {
      machine: machine(),
      repeats,
      results,
      note:
        'Observer = readFleet (the /api/propagation code path, route-default filter) on a ready observer, in process, ' +
        'after 5 warm-up reads. Per key = one awaited HMGET per app per region, regions in parallel, fewer repeats ' +
        `above 1 000 apps; above ${baselineSample} apps it reads ${baselineSample} keys and scales linearly ` +
        '(extrapolatedFrom). Memory = heapUsed after two full GCs (gc via v8.setFlagsFromString) with the ' +
        'observer ready, minus the same before it was created.',
    };
  } finally {
    for (let i = 0; i < appIds.length; i += 1_000) {
      const ids = appIds.slice(i, i + 1_000);
      await primary.del(...ids.map(m.cache.configKey));
    }
    await c.apps.deleteMany({ tenantId });
    await c.configVersions.deleteMany({ tenantId });
    await Promise.all(clients.map((cl) => cl.quit().catch(() => cl.disconnect())));
    await Promise.all([m.redis.closeRedis(), m.mongo.closeMongo()]);
  }
}
