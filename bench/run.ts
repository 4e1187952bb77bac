/**
 * `npm run bench`: every benchmark in one run on its own devstack (`.devstack-bench`, free ports,
 * zero link delay unless a bench adds one), JSON results with the machine noted, written to
 * bench/results/<time>.json and printed. Ratios compare against a baseline measured in the same
 * run, because this machine is shared and noisy.
 *
 * BENCH_ONLY=save,propagation,fleet,observer,client,load,cli,migration picks some;
 * BENCH_OBSERVER_COUNTS=1,100 shortens the observer fleet read (default 1,100,10000,100000); BENCH_LOAD_SECONDS shortens the load test.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BENCH_STACK_DIR } from '../devstack/state';
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

const results: Record<string, unknown> = {
  startedAt: new Date().toISOString(),
  machine: machine(),
};
const timed = async (name: string, fn: () => Promise<unknown>) => {
  if (!wanted(name.split('.')[0] ?? name)) return;
  log(`${name}…`);
  const t = Date.now();
  results[name] = await fn();
  log(`${name}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
};

/** The whole product (seed, worker, next start) on the bench stack, with an API token of Acme. */
async function onProduct<T>(
  port: number,
  scope: 'read' | 'read-write',
  bench: (baseUrl: string, token: string) => Promise<T>,
): Promise<T> {
  const product = await runProduct({ dir, port, regions: TEST_REGIONS, build: 'if-missing', log });
  try {
    const { createApiToken } = await import('../lib/db/api-tokens');
    const { secret } = await createApiToken({
      tenantId: 'acme',
      name: `bench ${scope}`,
      scope,
      createdBy: { userId: 'bench', name: 'npm run bench', email: 'bench@propagate.test' },
    });
    return await bench(`http://127.0.0.1:${port}`, secret);
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
      counts: process.env.BENCH_OBSERVER_COUNTS?.split(',').map(Number),
    }),
  );
  await timed('migration', benchMigration);
  const targets = targetsFromStack(dir);
  await timed('client.getThroughput', () => benchGetThroughput(targets));
  await timed('client.saveToInstances', () => benchSaveToClients(targets));
  await timed('load.statusApi', () =>
    onProduct(3300, 'read', (baseUrl, token) =>
      benchStatusLoad({
        baseUrl,
        appId: 'acme-storefront',
        token,
        durationS: Number(process.env.BENCH_LOAD_SECONDS ?? 60),
      }),
    ),
  );
  await timed('cli.pushWait', () =>
    onProduct(3301, 'read-write', (baseUrl, token) =>
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
