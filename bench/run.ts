/**
 * `npm run bench`: every benchmark in one run on its own devstack (`.devstack-bench`, free ports,
 * zero link delay unless a bench adds one), JSON results with the machine noted, written to
 * bench/results/<time>.json and printed. Ratios compare against a baseline measured in the same
 * run, because this machine is shared and noisy.
 *
 * BENCH_ONLY=save,propagation,fleet,observer,client,load,watchers,cli,migration picks some;
 * BENCH_SMALL=1 runs a quick check (fewer dashboards, watchers, saves and apps; not the figures
 * to report); BENCH_OBSERVER_COUNTS=1,100 shortens the observer fleet read (default
 * 1,100,10000,100000); BENCH_LOAD_SECONDS shortens the load test. The Next servers listen on free
 * ports, so several people can run it at once.
 */
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BENCH_STACK_DIR } from '../devstack/state';
import { freePort } from '../devstack/ports';
import { down, TEST_REGIONS, up } from '../devstack/stack';
import { runProduct } from '../scripts/run-product';
import { stackEnv } from '../scripts/stack-env';

const dir = BENCH_STACK_DIR;
const only = process.env.BENCH_ONLY?.split(',');
const wanted = (name: string) => !only || only.includes(name);
const log = (line: string) => console.error(`[bench] ${line}`);

await up({ dir, regions: TEST_REGIONS, log });
// App modules validate the environment when first imported: load it before importing them.
Object.assign(process.env, stackEnv(dir));

const { machine, benchSaveToInSync, benchFleetStatus } = await import('./propagation');
const { benchSaveConfig } = await import('./save-config');
const { benchGetThroughput, benchSaveToClients, targetsFromStack } =
  await import('./config-client');
const { benchStatusLoad } = await import('./status-load');
const { benchCliPushWait } = await import('./cli-push');
const { benchObserverFleet } = await import('./observer');
const { benchStreamWatchers } = await import('./stream-watchers');
const { appModules } = await import('./propagation');

const small = process.env.BENCH_SMALL === '1';
const size = {
  dashboards: small ? 50 : 200,
  loadSeconds: Number(process.env.BENCH_LOAD_SECONDS ?? (small ? 10 : 60)),
  watchers: small ? 100 : 1_000,
  watcherSaves: small ? 10 : 60,
  observerCounts:
    process.env.BENCH_OBSERVER_COUNTS?.split(',').map(Number) ??
    (small ? [1, 100, 10_000] : undefined),
};

const results: Record<string, unknown> = {
  startedAt: new Date().toISOString(),
  machine: machine(),
  small,
};
const timed = async (name: string, fn: () => Promise<unknown>) => {
  if (!wanted(name.split('.')[0] ?? name)) return;
  log(`${name}…`);
  const t = Date.now();
  results[name] = await fn();
  log(`${name}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
};

/** The whole product (seed, worker, next start) on the bench stack, with an API token of Acme. */
/** Lets a benchmark read the Next server's own figures (GET /api/metrics). */
const BENCH_METRICS_TOKEN = randomBytes(24).toString('hex');

async function onProduct<T>(
  scope: 'read' | 'read-write',
  bench: (baseUrl: string, token: string, nextPid: number) => Promise<T>,
): Promise<T> {
  const port = await freePort();
  const product = await runProduct({
    dir,
    port,
    regions: TEST_REGIONS,
    build: 'if-missing',
    log,
    extraEnv: { PROPAGATE_METRICS_TOKEN: BENCH_METRICS_TOKEN },
  });
  try {
    const { createApiToken } = await import('../lib/db/api-tokens');
    const { secret } = await createApiToken({
      tenantId: 'acme',
      name: `bench ${scope}`,
      scope,
      createdBy: { userId: 'bench', name: 'npm run bench', email: 'bench@propagate.test' },
    });
    if (product.nextPid === undefined) throw new Error('next start did not start');
    return await bench(`http://127.0.0.1:${port}`, secret, product.nextPid);
  } finally {
    await product.stop();
  }
}

/**
 * The migration benchmarks declare two deployments, which must be in the environment before any
 * app module loads: they run in a process of their own and answer with one JSON line.
 */
function benchMigration(): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--conditions=react-server', '--import', 'tsx', 'bench/migration.ts', dir],
      { maxBuffer: 16 * 2 ** 20, timeout: 30 * 60_000 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`bench/migration.ts: ${error.message}\n${stderr}`));
        try {
          resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? ''));
        } catch {
          reject(new Error(`bench/migration.ts printed no JSON:\n${stdout}\n${stderr}`));
        }
      },
    );
  });
}

let failed = false;
try {
  await timed('save.actionLatency', () => benchSaveConfig({ stackDir: dir }));
  await timed('propagation.saveToInSync', () =>
    benchSaveToInSync({ stackDir: dir, slowLinkMs: 50 }),
  );
  await timed('fleet.statusRead', () => benchFleetStatus({ stackDir: dir }));
  await timed('observer.fleetRead', () =>
    benchObserverFleet({
      stackDir: dir,
      counts: size.observerCounts,
    }),
  );
  await timed('migration', benchMigration);
  const targets = targetsFromStack(dir);
  await timed('client.getThroughput', () => benchGetThroughput(targets));
  await timed('client.saveToInstances', () => benchSaveToClients(targets));
  if (wanted('load') || wanted('watchers')) {
    // One product for both: the load first, then the watchers on a quiet server.
    await onProduct('read', async (baseUrl, token, nextPid) => {
      await timed('load.statusApi', () =>
        benchStatusLoad({
          baseUrl,
          appId: 'acme-storefront',
          token,
          dashboards: size.dashboards,
          durationS: size.loadSeconds,
        }),
      );
      await timed('watchers.streamInSync', async () =>
        benchStreamWatchers({
          m: await appModules(),
          baseUrl,
          nextPid,
          appId: 'acme-storefront',
          tenantId: 'acme',
          watchers: size.watchers,
          saves: size.watcherSaves,
          metricsToken: BENCH_METRICS_TOKEN,
        }),
      );
    });
  }
  await timed('cli.pushWait', () =>
    onProduct('read-write', (baseUrl, token) =>
      benchCliPushWait({
        stackDir: dir,
        baseUrl,
        token,
        appId: 'acme-storefront',
        pushes: Number(process.env.BENCH_CLI_PUSHES ?? 30),
      }),
    ),
  );
} catch (error) {
  failed = true;
  results.error = String((error as Error).stack ?? error);
  log(`failed: ${results.error as string}`);
} finally {
  results.finishedAt = new Date().toISOString();
  mkdirSync('bench/results', { recursive: true });
  const file = path.join(
    'bench/results',
    `${results.startedAt as string}.json`.replaceAll(':', '-'),
  );
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results, null, 2));
  log(`results written to ${file}`);
  await down(dir);
  process.exit(failed ? 1 : 0);
}
