/**
 * Save action latency: the real `saveConfig.run(principal, input)` (zod, tenant check,
 * secret merge, no-op check, insert into MongoDB, head update, push to the primary Redis with
 * its compare-and-set script, audit), sequentially, against a running devstack. Reports
 * p50/p99 over ≥ 200 saves, after a warm-up.
 *
 * Run alone: node --conditions=react-server --import tsx bench/save-config.ts [stack dir]
 * (the action's modules are server-only; the react-server condition makes them importable).
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { readEnvFile } from '../devstack/stack';
import { percentile, round } from './stats';
import { chosenStackDir } from '../devstack/state';

export interface SaveConfigBench {
  saves: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
  allPushed: boolean;
  note: string;
}

/**
 * `stackDir` loads that devstack's endpoints into process.env before the app modules (which
 * validate the environment when first imported) are loaded; without it the current env is used.
 */
export async function benchSaveConfig({
  saves = 200,
  warmup = 20,
  stackDir,
}: { saves?: number; warmup?: number; stackDir?: string } = {}): Promise<SaveConfigBench> {
  if (saves < 200) throw new Error('benchSaveConfig: measure at least 200 saves');
  if (stackDir) Object.assign(process.env, readEnvFile(stackDir));
  process.env.SESSION_SECRET ??= randomBytes(24).toString('hex');

  const [
    { saveConfig },
    { userPrincipal },
    { createApp },
    { collections },
    redis,
    secrets,
    schema,
    cache,
  ] = await Promise.all([
    import('../lib/actions/save-config'),
    import('../lib/auth/principal'),
    import('../lib/db/apps'),
    import('../lib/db/collections'),
    import('../lib/redis/clients'),
    import('../lib/secrets'),
    import('../lib/schemas/config'),
    import('../lib/contract/cache-layout'),
  ]);

  const run = randomBytes(4).toString('hex');
  const tenantId = `bench-${run}`;
  const appId = `bench-save-${run}`;
  const start = schema.defaultConfig('Bench');
  const config = {
    ...start,
    signIn: {
      ...start.signIn,
      social: [
        {
          provider: 'google' as const,
          clientId: 'bench-client',
          clientSecret: `bench-${run}-${randomBytes(16).toString('hex')}`,
        },
      ],
    },
    urls: { ...start.urls, redirectUrls: ['https://bench.example.com/callback'] },
  };
  const author = { userId: 'bench', name: 'Benchmark', email: 'bench@propagate.test' };
  await createApp({
    id: appId,
    tenantId,
    name: 'Save bench',
    description: '',
    config,
    author,
    message: 'Bench start',
  });
  const principal = userPrincipal({
    _id: `bench-${run}`,
    name: 'Benchmark',
    email: 'bench@propagate.test',
    role: 'admin',
    tenantId,
  });
  const masked = secrets.maskSecrets(config);

  const timings: number[] = [];
  let allPushed = true;
  try {
    for (let i = 0; i < warmup + saves; i += 1) {
      // Every save changes one setting, so none is refused as "nothing changed".
      const input = {
        appId,
        baseVersion: i + 1,
        config: {
          ...masked,
          sessions: { ...masked.sessions, idleTimeoutMinutes: 60 + (i % 1000) },
        },
        message: `bench save ${i}`,
      };
      const t0 = performance.now();
      const result = await saveConfig.run(principal, input);
      const ms = performance.now() - t0;
      if (result.status !== 'ok')
        throw new Error(`save ${i} was not ok: ${JSON.stringify(result).slice(0, 300)}`);
      if (i >= warmup) {
        timings.push(ms);
        allPushed &&= result.data.pushed;
      }
    }
  } finally {
    const c = await collections();
    await c.configVersions.deleteMany({ appId });
    await c.apps.deleteMany({ _id: appId });
    await c.audit.deleteMany({ appId });
    await redis.primaryRedis().del(cache.configKey(appId));
  }

  const sorted = [...timings].sort((a, b) => a - b);
  return {
    saves: timings.length,
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
    meanMs: round(timings.reduce((a, b) => a + b, 0) / timings.length),
    maxMs: round(sorted.at(-1) ?? NaN),
    allPushed,
    note: 'Sequential saves through saveConfig.run: validation, MongoDB commit (unique-index insert + head update), push to the primary Redis (Lua CAS + PUBLISH), pushedAt update, audit entry.',
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const stackDir = process.argv[2] ?? chosenStackDir();
  const result = await benchSaveConfig({ stackDir });
  console.log(JSON.stringify(result, null, 2));
  const [{ closeMongo }, { closeRedis }] = await Promise.all([
    import('../lib/db/mongo'),
    import('../lib/redis/clients'),
  ]);
  await Promise.all([closeMongo(), closeRedis()]);
}
