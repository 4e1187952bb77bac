import { randomBytes } from 'node:crypto';
import { emptyBackfill, emptyVerify } from '../../lib/model/migration';
import { deploymentDir, stackCredentials } from '../../devstack/state';
import { declarationOf } from '../../devstack/deployments';
import { up, fault, type FaultAction, type StackInfo } from '../../devstack/stack';

/**
 * For integration tests of migrations: the int devstack is deployment `home`; a second one,
 * `next` (a primary in us-east-1 and a replica in eu-west-1), runs beside it as a stack of its
 * own. Call before importing anything that reads the env: it declares both deployments in
 * CACHE_DEPLOYMENTS and moves the suite to a database of its own, so the cache state it changes
 * never leaks into other suites.
 */
export interface TwoDeployments {
  next: StackInfo;
  fault(deployment: 'next', region: string, action: FaultAction): Promise<unknown>;
}

export async function declareTwoDeployments(): Promise<TwoDeployments> {
  const dir = process.env.PROPAGATE_DEVSTACK_DIR;
  if (!dir) throw new Error('run with `vitest run --project int`');
  const next = await up({
    dir: deploymentDir(dir, 'next'),
    primaryRegion: 'us-east-1',
    regions: [{ name: 'eu-west-1', delayMs: 0 }],
    mongo: false,
    credentials: stackCredentials(dir),
  });
  const home = declarationOf('home', process.env as Record<string, string>);
  process.env.CACHE_DEPLOYMENTS = JSON.stringify([home, declarationOf('next', next.env)]);
  delete process.env.REDIS_PRIMARY_URL;
  delete process.env.REDIS_REPLICAS;
  process.env.MONGODB_DB = `propagate-mig-${randomBytes(4).toString('hex')}`;
  return {
    next,
    fault: (_deployment, region, action) => fault(next.dir, region, action),
  };
}

/** A migration from `home` to `next` in its dual-write phase, as the start step writes it. */
export function syncingMigration(plannedBy: { id: string; name: string }) {
  return {
    id: `mig-${Date.now()}`,
    source: 'home',
    target: 'next',
    phase: 'syncing' as const,
    plannedAt: new Date(),
    plannedBy,
    backfill: emptyBackfill(),
    verify: emptyVerify(),
    cutOverAt: null,
    rolledBackAt: null,
    verifyWindowMs: 30_000,
  };
}
