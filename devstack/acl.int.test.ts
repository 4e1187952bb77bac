import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { configKey, UPDATES_CHANNEL } from '../lib/contract/cache-layout';
import { ACTIVE_DEPLOYMENT_KEY } from '../lib/contract/deployment-marker';
import { instanceReportKey, instancesIndexKey, presenceKey } from '../lib/contract/report-layout';
import { redisCommand } from './redis-process';
import { endpoints, type StackUser } from './endpoints';
import { quitAll, redisAs, waitFor } from '../test/helpers/devstack';

/**
 * The devstack's Redis users hold production's rules (devstack/acl.ts, docs/production.md):
 * nobody gets in without a user, the config client's reader can only read config entries and
 * listen, the reporter can only write reports, and Propagate's writer cannot wipe or reconfigure
 * the cache. Every refusal is Redis's own NOPERM/NOAUTH, against the real servers.
 */
const { primary, replicas } = endpoints();
const [replica] = replicas;
if (!replica) throw new Error('needs a replica region');
const opened: Redis[] = [];
const as = (user: StackUser, url: string) => {
  const client = redisAs(user, url, { maxRetriesPerRequest: 0 });
  opened.push(client);
  return client;
};
const appId = `acl-${randomUUID()}`;
const NOPERM = /NOPERM/;

afterAll(async () => {
  const writer = as('writer', primary.url);
  await writer.del(
    configKey(appId),
    instanceReportKey(appId, 'i-1'),
    instancesIndexKey(appId),
    presenceKey(`acl-${appId}`),
  );
  await quitAll(opened);
});

describe('Redis ACL users on the devstack', () => {
  it('refuses a connection without a user', async () => {
    for (const url of [primary.url, replica.url])
      await expect(redisCommand(Number(new URL(url).port), ['GET', 'x'])).rejects.toThrow(/NOAUTH/);
  });

  it('the writer pushes, publishes and reads reports, but cannot wipe, reconfigure or leave propagate:', async () => {
    const writer = as('writer', primary.url);
    await writer.hset(configKey(appId), 'version', '1', 'checksum', 'c1', 'body', '{}');
    expect(await writer.publish(UPDATES_CHANNEL, '{}')).toBeGreaterThanOrEqual(0);
    await expect(writer.zrange(instancesIndexKey(appId), '0', '-1')).resolves.toEqual([]);
    await expect(writer.flushall()).rejects.toThrow(NOPERM);
    await expect(writer.config('SET', 'appendonly', 'no')).rejects.toThrow(NOPERM);
    await expect(writer.call('REPLICAOF', 'NO', 'ONE')).rejects.toThrow(NOPERM);
    await expect(writer.set(`other:${appId}`, '1')).rejects.toThrow(NOPERM);
    await expect(writer.publish('other-channel', 'x')).rejects.toThrow(NOPERM);
  });

  it('replication carries the write to the replica, where the reader reads it', async () => {
    const reader = as('reader', replica.url);
    const entry = await waitFor(
      async () => (await reader.hgetall(configKey(appId))).version === '1',
      10_000,
      'the entry on the replica',
    );
    expect(entry).toBe(true);
    expect(await reader.hmget(configKey(appId), 'version', 'checksum')).toEqual(['1', 'c1']);
    // Readable (whatever another suite left there), not refused.
    await expect(reader.hmget(ACTIVE_DEPLOYMENT_KEY, 'deployment', 'epoch')).resolves.toHaveLength(
      2,
    );
  });

  it('the reader cannot write anything, nor read anything but config entries and the marker', async () => {
    for (const url of [replica.url, primary.url]) {
      const reader = as('reader', url);
      await expect(reader.hset(configKey(appId), 'version', '99')).rejects.toThrow(NOPERM);
      await expect(reader.del(configKey(appId))).rejects.toThrow(NOPERM);
      await expect(reader.set(`propagate:x:${appId}`, '1')).rejects.toThrow(NOPERM);
      await expect(reader.publish(UPDATES_CHANNEL, '{}')).rejects.toThrow(NOPERM);
      await expect(reader.zrange(instancesIndexKey(appId), '0', '-1')).rejects.toThrow(NOPERM);
      await expect(reader.hgetall('propagate:signin:x')).rejects.toThrow(NOPERM);
      await expect(reader.get(instanceReportKey(appId, 'i-1'))).rejects.toThrow(NOPERM);
      await expect(reader.call('SCAN', '0')).rejects.toThrow(NOPERM);
    }
    const writer = as('writer', primary.url);
    expect(await writer.hget(configKey(appId), 'version')).toBe('1');
  });

  it('the reader may subscribe to the update channel only', async () => {
    const reader = as('reader', replica.url);
    await expect(reader.subscribe(UPDATES_CHANNEL)).resolves.toBe(1);
    const other = as('reader', replica.url);
    await expect(other.subscribe('propagate:other')).rejects.toThrow(NOPERM);
  });

  it('the reporter writes its reports and presence, and nothing else; it reads nothing', async () => {
    const reporter = as('reporter', primary.url);
    const report = instanceReportKey(appId, 'i-1');
    await expect(reporter.set(report, '{}', 'PX', 60_000)).resolves.toBe('OK');
    await expect(reporter.zadd(instancesIndexKey(appId), Date.now(), 'i-1')).resolves.toBe(1);
    await expect(reporter.zremrangebyscore(instancesIndexKey(appId), '-inf', '(0')).resolves.toBe(
      0,
    );
    await expect(reporter.set(presenceKey(`acl-${appId}`), '{}', 'PX', 60_000)).resolves.toBe('OK');
    await expect(reporter.get(report)).rejects.toThrow(NOPERM);
    await expect(reporter.zrange(instancesIndexKey(appId), '0', '-1')).rejects.toThrow(NOPERM);
    await expect(reporter.hgetall(configKey(appId))).rejects.toThrow(NOPERM);
    await expect(reporter.hset(configKey(appId), 'version', '99')).rejects.toThrow(NOPERM);
    await expect(reporter.del(configKey(appId))).rejects.toThrow(NOPERM);
    await expect(reporter.set('propagate:signin:x', '1')).rejects.toThrow(NOPERM);
    await expect(reporter.publish(UPDATES_CHANNEL, '{}')).rejects.toThrow(NOPERM);
    const writer = as('writer', primary.url);
    expect(await writer.get(report)).toBe('{}');
    expect(await writer.hget(configKey(appId), 'version')).toBe('1');
  });
});
