import { existsSync, rmSync } from 'node:fs';
import { upDeployments } from '../devstack/deployments';
import { freePort } from '../devstack/ports';
import { DEMO_REGIONS, up, type RegionSpec } from '../devstack/stack';
import { deploymentsFile, withoutCacheTargets } from '../devstack/state';
import {
  fleetTargetsFromEnv,
  startFleet,
  type Fleet,
} from '../examples/login-settings-service/start-fleet';
import { demoApps } from '../lib/seed/demo-configs';
import { ProcessGroup, run, waitForHttp } from './processes';
import { stackEnv } from './stack-env';

export interface ProductOptions {
  dir: string;
  port: number;
  regions?: RegionSpec[];
  /** Build first even if a build exists (the demo does, so it always serves current code). */
  build: 'always' | 'if-missing';
  extraEnv?: Record<string, string>;
  /**
   * Two cache deployments, `legacy` (one Redis in us-east-1) active and `global` (the stack's
   * primary and replicas) declared, for running a migration by hand.
   */
  migration?: boolean;
  /**
   * Start the stack's own MongoDB even when the environment names one. The migration e2e runs
   * inside `npm test`, whose environment names the integration stack's MongoDB; the cache state
   * it writes there would make the suite's shared product follow a deployment it does not know.
   */
  ownMongo?: boolean;
  /** Example services per region that use the config client (the demo runs two). */
  servicesPerRegion?: number;
  log: (line: string) => void;
}

const node = process.execPath;
// The worker and the seed import server-only modules; this condition makes them importable.
const serverNode = ['--conditions=react-server', '--import', 'tsx'];

/**
 * Everything the product needs, started in order: the devstack, the seed, the worker, the
 * example services, and the Next server. Returns once the server answers.
 */
export async function runProduct(options: ProductOptions) {
  const { log } = options;
  const stack = await up({
    dir: options.dir,
    regions: options.regions,
    ...(options.ownMongo && { mongoUri: null }),
    log,
  });
  log(
    `devstack ${stack.reused ? 'reused' : 'started'} in ${stack.dir} (MongoDB: ${stack.mongoTier ?? 'none'})`,
  );
  if (options.migration) {
    await upDeployments({
      dir: stack.dir,
      home: 'global',
      homeEnv: stack.env,
      homeCredentials: stack.state.config.credentials,
      // Services in the other regions reach legacy across the distance, as they would a
      // single-region provider: through a delayed link each.
      extra: [
        {
          name: 'legacy',
          primaryRegion: 'us-east-1',
          regions: [],
          access: options.regions ?? DEMO_REGIONS,
        },
      ],
      order: ['legacy', 'global'],
      log,
    });
    log(
      'cache deployments: legacy (active, us-east-1 only, reached from the other regions through delayed links) and global (primary + replicas)',
    );
  } else {
    rmSync(deploymentsFile(stack.dir), { force: true });
  }
  const env = {
    ...withoutCacheTargets(process.env),
    ...stackEnv(stack.dir),
    ...(options.migration && { MIGRATION_VERIFY_WINDOW_MS: '30000' }),
    ...options.extraEnv,
  };

  if (options.build === 'always' || !existsSync('.next/BUILD_ID')) {
    log('building the Next app…');
    await run(node, ['node_modules/next/dist/bin/next', 'build'], {
      env: { ...env, NODE_ENV: 'production' },
    });
  }

  await run(node, [...serverNode, 'scripts/seed.ts'], { env });

  const group = new ProcessGroup();
  group.start('worker', node, [...serverNode, 'worker/main.ts'], { env });
  const next = group.start(
    'next',
    node,
    ['node_modules/next/dist/bin/next', 'start', '-p', String(options.port), '-H', '127.0.0.1'],
    {
      env: { ...env, NODE_ENV: 'production' },
    },
  );
  await waitForHttp(`http://127.0.0.1:${options.port}/api/health`, 60_000);

  let fleet: Fleet | undefined;
  if (options.servicesPerRegion) {
    fleet = await startFleet({
      ...fleetTargetsFromEnv(env),
      apps: demoApps().map((app) => app.id),
      perRegion: options.servicesPerRegion,
      basePort: await freePort(4100),
      idPrefix: 'login',
      // Six tsx processes starting at once on a loaded machine can take longer than the default.
      readyTimeoutMs: 90_000,
      log,
    });
  }
  return {
    stack,
    env,
    fleet,
    /** The Next server's process id (benchmarks sample its CPU and memory). */
    nextPid: next.pid,
    async stop() {
      await fleet?.stop();
      await group.stopAll();
    },
  };
}
