import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { down, fault, up, type StackInfo } from './stack';
import { deploymentDir } from './state';
import { quitAll } from '../test/helpers/devstack';

/**
 * A deployment like the demo's `legacy` (one Redis in us-east-1, no replica) started with access
 * links: a service in eu-west-1 reaches it through a proxy that delays what the primary sends by
 * that region's distance, and the link can be partitioned like a replica's.
 */
const home = process.env.PROPAGATE_DEVSTACK_DIR ?? '';
const name = `far-${process.pid}`;
let stack: StackInfo;
const clients: Redis[] = [];
const connect = (port: number) => {
  const client = new Redis(port, '127.0.0.1', {
    // The devstack's own user: access-link:* is nobody's key in the product.
    ...stack.state.config.credentials.admin,
    maxRetriesPerRequest: 0,
    commandTimeout: 1_000,
    retryStrategy: () => 100,
  });
  clients.push(client);
  return client;
};

beforeAll(async () => {
  // Beside the int stack, as devstack/deployments.ts starts `legacy`, but declared nowhere.
  stack = await up({
    dir: deploymentDir(home, name),
    primaryRegion: 'us-east-1',
    regions: [],
    access: [{ name: 'eu-west-1', delayMs: 80 }],
    mongo: false,
  });
});

afterAll(async () => {
  await quitAll(clients);
  await down(deploymentDir(home, name));
});

async function roundTrip(client: Redis): Promise<number> {
  const started = performance.now();
  await client.ping();
  return performance.now() - started;
}

describe('access links of a deployment with no replica in a region', () => {
  it('adds the region’s distance to what the primary sends, and nothing to a local reader', async () => {
    const link = stack.state.access?.find((a) => a.region === 'eu-west-1');
    expect(link).toMatchObject({ delayMs: 80, partitioned: false });
    const far = connect(link?.proxyPort ?? 0);
    const near = connect(stack.state.primary?.port ?? 0);
    await far.set('access-link:probe', '1');
    const farTimes = [await roundTrip(far), await roundTrip(far), await roundTrip(far)];
    const nearTimes = [await roundTrip(near), await roundTrip(near), await roundTrip(near)];
    expect(Math.min(...farTimes)).toBeGreaterThanOrEqual(79);
    expect(Math.min(...nearTimes)).toBeLessThan(40);
    expect(await far.get('access-link:probe')).toBe('1');
    await near.del('access-link:probe');
  });

  it('partitions and heals the link from one region', async () => {
    const far = connect(stack.state.access?.[0]?.proxyPort ?? 0);
    await far.ping();
    await fault(stack.dir, 'eu-west-1', 'partition');
    try {
      await expect(far.ping()).rejects.toThrow(/timed out/i);
    } finally {
      await fault(stack.dir, 'eu-west-1', 'heal');
    }
    // The held bytes flow again; a fresh command answers.
    await expect(connect(stack.state.access?.[0]?.proxyPort ?? 0).ping()).resolves.toBe('PONG');
  });
});
