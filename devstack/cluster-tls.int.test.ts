import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Cluster, Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { DeploymentDeclaration } from '../lib/model/deployment-spec';
import { connectionAs } from './endpoints';
import { redisCommand } from './redis-process';
import { down, fault, up } from './stack';
import { deploymentDir, stackCredentials } from './state';
import { stackDir, waitFor } from '../test/helpers/devstack';

/**
 * A devstack cluster over TLS (`--cluster --tls`): every node listens with TLS only, the bus and
 * replication run over TLS, and the masters' link proxies end and reopen TLS to read each
 * replica's handshake, so delays and partitions still apply.
 */

const EU = 'eu-west-1';
const dir = deploymentDir(stackDir(), 'cluster-tls');
const stack = await up({
  dir,
  primaryRegion: 'us-east-1',
  regions: [{ name: EU, delayMs: 0 }],
  mongo: false,
  cluster: true,
  tls: true,
  credentials: stackCredentials(stackDir()),
});
const { env } = stack;
const [declaration] = JSON.parse(env.CACHE_DEPLOYMENTS ?? '[]') as DeploymentDeclaration[];
if (!declaration) throw new Error('the TLS cluster declares no deployment');
const euUrls = (() => {
  const eu = declaration.replicas?.find((r) => r.region === EU);
  return eu ? [eu.url, ...(eu.nodes ?? [])] : [];
})();

const seed = new URL(declaration.primary.url);
const writer = new Cluster([{ host: seed.hostname, port: Number(seed.port) }], {
  dnsLookup: (address, done) => done(null, address),
  redisOptions: connectionAs('admin', declaration.primary.url, env),
});
const readers = euUrls.map((url) => {
  const client = new Redis(url, { ...connectionAs('admin', url, env), readOnly: true });
  client.on('error', () => undefined);
  return client;
});
/** Whether the key has reached the eu-west-1 node of its shard. */
const onEu = async (key: string) =>
  (await Promise.all(readers.map((r) => r.get(key).catch(() => null)))).some((v) => v !== null);

afterAll(async () => {
  writer.disconnect();
  for (const r of readers) r.disconnect();
  await down(dir);
});

describe('devstack cluster over TLS', () => {
  it('declares rediss:// nodes with the CA; writes go through the proxies, replicas serve them', async () => {
    expect([declaration.primary.url, ...euUrls].every((u) => u.startsWith('rediss://'))).toBe(true);
    expect(declaration.tlsCaFile).toBe(env.REDIS_TLS_CA_FILE);
    const key = `devstack:test:tls:${randomUUID()}`;
    await writer.set(key, 'sealed', 'EX', 60);
    expect(await writer.get(key)).toBe('sealed');
    await waitFor(() => onEu(key), 10_000, `${key} on ${EU}`);
    // Nothing answers in clear, not even the proxies.
    const port = Number(new URL(declaration.primary.url).port);
    await expect(redisCommand(port, ['PING'], 1_000)).rejects.toThrow();
  });

  it('delays and partitions the replication links through TLS', async () => {
    await fault(dir, EU, 'latency', 80);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const arrivals: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const key = `devstack:test:tls:${randomUUID()}`;
      const sentAt = performance.now();
      await writer.set(key, 'late', 'EX', 60);
      await waitFor(() => onEu(key), 10_000, `${key} on ${EU}`, 2);
      arrivals.push(performance.now() - sentAt);
    }
    console.log(
      `[cluster tls] latency 80 ms → arrivals ${arrivals.map((a) => a.toFixed(0)).join(', ')} ms`,
    );
    for (const ms of arrivals) expect(ms).toBeGreaterThanOrEqual(79);

    await fault(dir, EU, 'latency', 0);
    await fault(dir, EU, 'partition');
    const key = `devstack:test:tls:${randomUUID()}`;
    await writer.set(key, 'held', 'EX', 60);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await onEu(key)).toBe(false);
    await fault(dir, EU, 'heal');
    await waitFor(() => onEu(key), 15_000, `${key} on ${EU} after heal`);
  });
});
