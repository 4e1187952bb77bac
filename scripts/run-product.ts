import { existsSync } from 'node:fs';
import { freePort } from '../devstack/ports';
import { up, type RegionSpec } from '../devstack/stack';
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
  const stack = await up({ dir: options.dir, regions: options.regions, log });
  log(
    `devstack ${stack.reused ? 'reused' : 'started'} in ${stack.dir} (MongoDB: ${stack.mongoTier ?? 'none'})`,
  );
  const env = { ...process.env, ...stackEnv(stack.dir), ...options.extraEnv };

  if (options.build === 'always' || !existsSync('.next/BUILD_ID')) {
    log('building the Next app…');
    await run(node, ['node_modules/next/dist/bin/next', 'build'], {
      env: { ...env, NODE_ENV: 'production' },
    });
  }

  await run(node, [...serverNode, 'scripts/seed.ts'], { env });

  const group = new ProcessGroup();
  group.start('worker', node, [...serverNode, 'worker/main.ts'], { env });
  group.start(
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
      log,
    });
  }
  return {
    stack,
    env,
    fleet,
    async stop() {
      await fleet?.stop();
      await group.stopAll();
    },
  };
}
