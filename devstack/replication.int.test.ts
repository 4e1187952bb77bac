import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { redisCommand } from './redis-process';
import { adminUser, endpoints } from './endpoints';
import { adminConnections, fault, stackStatus, waitFor } from '../test/helpers/devstack';

const { primary, replicas } = endpoints();
const { connect, closeAll } = adminConnections();
const portOf = (url: string): number => Number(new URL(url).port);

let writer: Redis;
let readers: Map<string, Redis>;
const [first, second] = replicas;

beforeAll(() => {
  writer = connect(primary.url);
  readers = new Map(replicas.map((r) => [r.region, connect(r.url)]));
});

afterAll(closeAll);

afterEach(async () => {
  // Leave the shared stack as we found it, whatever failed.
  for (const r of replicas) {
    await fault(r.region, 'revive');
    await fault(r.region, 'heal');
  }
  await waitFor(async () => (await stackStatus()).healthy, 20_000, 'the stack to be healthy again');
});

const reader = (region: string): Redis => {
  const client = readers.get(region);
  if (!client) throw new Error(`no reader for ${region}`);
  return client;
};

describe('devstack replication', () => {
  it('has at least two replica regions to compare', () => {
    expect(replicas.length).toBeGreaterThanOrEqual(2);
  });

  it('replicates a write to every replica, which refuses writes itself', async () => {
    const key = `devstack:test:${randomUUID()}`;
    await writer.set(key, 'hello', 'EX', 60);
    for (const r of replicas) {
      await waitFor(
        async () => (await reader(r.region).get(key)) === 'hello',
        5000,
        `${key} on ${r.region}`,
      );
    }
    await expect(reader(replicas[0]?.region ?? '').set(key, 'nope')).rejects.toThrow(/READONLY/);
  });

  it('partition holds writes back from one replica until heal', async () => {
    if (!first || !second) throw new Error('needs two replicas');
    await fault(first.region, 'partition');
    const key = `devstack:test:${randomUUID()}`;
    await writer.set(key, 'v1', 'EX', 120);
    await waitFor(
      async () => (await reader(second.region).get(key)) === 'v1',
      5000,
      'the write on the healthy replica',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await reader(first.region).get(key)).toBeNull();

    // With repl-timeout 5 the partition is reported within seconds, not the default minute.
    const since = Date.now();
    await waitFor(
      async () =>
        (await stackStatus()).processes.find((p) => p.name === first.region)?.link === 'down',
      10_000,
      'the partitioned link to be reported down',
      200,
    );
    console.log(`[devstack] partitioned link reported down after ${Date.now() - since} ms`);
    const partitioned = (await stackStatus()).processes.find((p) => p.name === first.region);
    expect(partitioned?.partitioned).toBe(true);
    expect(await reader(first.region).get(key)).toBeNull();

    await fault(first.region, 'heal');
    await waitFor(
      async () => (await reader(first.region).get(key)) === 'v1',
      10_000,
      'the write after heal',
    );
  });

  it('kill makes a replica unreachable; revive brings it back in sync', async () => {
    if (!first) throw new Error('needs a replica');
    await fault(first.region, 'kill');
    await expect(redisCommand(portOf(first.url), ['PING'], 500, adminUser())).rejects.toThrow();
    const key = `devstack:test:${randomUUID()}`;
    await writer.set(key, 'while-dead', 'EX', 120);

    await fault(first.region, 'revive');
    await waitFor(
      async () =>
        (await redisCommand(portOf(first.url), ['GET', key], 500, adminUser())) === 'while-dead',
      10_000,
      'the revived replica to resync',
    );
    const revived = (await stackStatus()).processes.find((p) => p.name === first.region);
    expect(revived?.alive).toBe(true);
    expect(revived?.link).toBe('up');
  });
});
