/**
 * Cache migration benchmarks, on the bench devstack (deployment `home`) and a second deployment
 * `next` started beside it (a primary and the same replica regions), in a database of its own:
 *
 * - backfill of 10 000 apps by the worker's pass (pages of 500 heads, one pipelined round trip of
 *   compare-and-set pushes each), apps/s, against a one-key-at-a-time copy (read one head, push
 *   it, next) measured in the same run on a sample;
 * - cut-over: the marker written → every following config client reads from the target, p50/p99
 *   over repeated switches in both directions;
 * - a whole migration (plan, start, backfill, verify, cut over, roll back, cut over, finish) with
 *   one save a second, sampled every 50 ms in every client: regressions (goal 0) and staleness.
 *
 * Run alone (prints JSON): node --conditions=react-server --import tsx bench/migration.ts <stack dir>
 * `npm run bench` runs it in a process of its own, because the deployments it declares must be
 * in the environment before any app module is loaded.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { declarationOf } from '../devstack/deployments';
import { readEnvFile, TEST_REGIONS, up } from '../devstack/stack';
import { deploymentDir, stackCredentials } from '../devstack/state';
import { machine } from './propagation';
import { round, summary } from './stats';

const stackDir = process.argv[2];
if (!stackDir) throw new Error('usage: bench/migration.ts <stack dir>');
const homeEnv = readEnvFile(stackDir);
const next = await up({
  dir: deploymentDir(stackDir, 'next'),
  primaryRegion: 'us-east-1',
  regions: TEST_REGIONS,
  mongo: false,
  // One devstack: every deployment has the same users.
  credentials: stackCredentials(stackDir),
});
Object.assign(process.env, homeEnv, {
  CACHE_DEPLOYMENTS: JSON.stringify([
    declarationOf('home', homeEnv),
    declarationOf('next', next.env),
  ]),
  MONGODB_DB: `bench-migration-${randomBytes(3).toString('hex')}`,
  MIGRATION_VERIFY_WINDOW_MS: '2000',
});
delete process.env.REDIS_PRIMARY_URL;
delete process.env.REDIS_REPLICAS;
process.env.SESSION_SECRET ??= randomBytes(24).toString('hex');

const { seedApps, startClients, dropDatabase, closeAll } = await import('./migration-setup');
const { backfillPass } = await import('../lib/deployments/backfill');
const { readHead } = await import('../lib/db/heads');
const { pushToPrimary } = await import('../lib/propagation/push');
const { deploymentPrimaryRedis } = await import('../lib/redis/clients');
const { writeMarkerEverywhere } = await import('../lib/deployments/marker-writer');
const { ACTIVE_DEPLOYMENT_KEY } = await import('../lib/contract/deployment-marker');
const { startMigration, resetCacheState } = await import('./migration-setup');
const { benchWholeMigration } = await import('./migration-flow');

const nextPrimary = () => deploymentPrimaryRedis('next');
const { configKey } = await import('../lib/contract/cache-layout');

/** The app's user may not FLUSHDB: the target's keys of these apps, deleted or counted. */
async function inTarget(ids: string[], op: 'del' | 'exists'): Promise<number> {
  let n = 0;
  for (let i = 0; i < ids.length; i += 1_000) {
    const pipeline = nextPrimary().pipeline();
    for (const id of ids.slice(i, i + 1_000)) pipeline[op](configKey(id));
    for (const [, reply] of (await pipeline.exec()) ?? []) n += Number(reply);
  }
  return n;
}

/** The worker's backfill of every app, against one read and one push per app. */
async function benchBackfill(apps: number, baselineSample: number) {
  const ids = await seedApps(apps);
  await startMigration();
  await inTarget(ids, 'del');
  let t = performance.now();
  for (;;) {
    const progress = await backfillPass({ budgetMs: 600_000 });
    if (progress?.lastError) throw new Error(progress.lastError);
    if (!progress || progress.finishedAt) break;
  }
  const passS = (performance.now() - t) / 1000;
  const copied = await inTarget(ids, 'exists');

  await inTarget(ids, 'del');
  t = performance.now();
  for (const appId of ids.slice(0, baselineSample)) {
    const head = await readHead(appId);
    if (!head) throw new Error(`no head for ${appId}`);
    await pushToPrimary(nextPrimary(), {
      appId,
      version: head.version,
      checksum: head.checksum,
      data: head.data,
      committedAt: head.createdAt,
    });
  }
  const baselineS = (performance.now() - t) / 1000;
  const appsPerS = apps / passS;
  const baselineAppsPerS = baselineSample / baselineS;
  return {
    apps,
    keysInTarget: copied,
    seconds: round(passS, 2),
    appsPerS: round(appsPerS, 0),
    baseline: {
      what: 'one head read from MongoDB and one compare-and-set push per app, in appId order',
      sampleApps: baselineSample,
      seconds: round(baselineS, 2),
      appsPerS: round(baselineAppsPerS, 0),
    },
    speedup: round(appsPerS / baselineAppsPerS, 1),
  };
}

/** Marker written → every client reads from the target, switching back and forth. */
async function benchCutOver(switches: number) {
  const appIds = (await seedApps(5, 'cut')).slice(0, 5);
  for (const d of ['home', 'next']) {
    for (const appId of appIds) {
      const head = await readHead(appId);
      if (!head) throw new Error(`no head for ${appId}`);
      await pushToPrimary(deploymentPrimaryRedis(d), {
        appId,
        version: head.version,
        checksum: head.checksum,
        data: head.data,
        committedAt: head.createdAt,
      });
    }
    await deploymentPrimaryRedis(d).del(ACTIVE_DEPLOYMENT_KEY);
  }
  const clients = await startClients(appIds);
  const times: number[] = [];
  try {
    for (let epoch = 1; epoch <= switches; epoch += 1) {
      const target = epoch % 2 === 1 ? 'next' : 'home';
      const started = performance.now();
      const { unreachable } = await writeMarkerEverywhere(['home', 'next'], {
        deployment: target,
        epoch,
        live: ['home', 'next'],
      });
      if (unreachable.length) throw new Error(`marker not written to ${unreachable.join(', ')}`);
      while (!clients.all.every((c) => c.source().deployment === target)) {
        if (performance.now() - started > 30_000) throw new Error(`switch ${epoch} never ended`);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      times.push(performance.now() - started);
    }
  } finally {
    await clients.close();
    for (const d of ['home', 'next']) await deploymentPrimaryRedis(d).del(ACTIVE_DEPLOYMENT_KEY);
  }
  return { switches, clients: clients.all.length, ...summary(times) };
}

const results: Record<string, unknown> = { machine: machine() };
try {
  results.backfill = await benchBackfill(
    Number(process.env.BENCH_BACKFILL_APPS ?? 10_000),
    Number(process.env.BENCH_BACKFILL_BASELINE ?? 2_000),
  );
  await resetCacheState();
  results.cutOver = await benchCutOver(Number(process.env.BENCH_CUTOVER_SWITCHES ?? 40));
  results.wholeMigration = await benchWholeMigration();
  results.machineAfter = machine();
} finally {
  await dropDatabase();
  await closeAll();
}
console.log(JSON.stringify(results));
process.exit(0);
