import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  // A database of its own: the re-seal walks every head, and must meet only this suite's apps.
  process.env.MONGODB_DB = `propagate-seal-${Math.random().toString(16).slice(2, 10)}`;
});

import type { Redis } from 'ioredis';
import { connectionAs, endpoints } from '@/devstack/endpoints';
import {
  createConfigClient,
  secretKeysFromEnv,
  type ConfigClient,
  type ConfigClientError,
} from '@/lib/config-client';
import { configKey } from '@/lib/contract/cache-layout';
import { checksum } from '@/lib/contract/canonical-json';
import type { SealingKey } from '@/lib/contract/secret-envelope';
import { createApp } from '@/lib/db/apps';
import type { AppDoc } from '@/lib/db/collections';
import { commitVersion } from '@/lib/db/config-versions';
import { readHead } from '@/lib/db/heads';
import { getDb } from '@/lib/db/mongo';
import { resealAllHeads } from '@/lib/deployments/reseal';
import { pushToPrimary } from '@/lib/propagation/push';
import { pushVersion } from '@/lib/propagation/push-version';
import { primaryRedis } from '@/lib/redis/clients';
import type { AppConfig } from '@/lib/schemas/config';
import { configWithSecrets } from '@/test/helpers/config-arbitraries';
import { redisAs, waitFor } from '@/test/helpers/devstack';
import { removeApps, testAuthor } from '@/test/helpers/propagation';
import { closeStores } from '@/test/helpers/stores';

/**
 * Client and webhook secrets are sealed in every region's cache (lib/contract/secret-envelope.ts):
 * nobody reading a replica sees them, the config client serves them in plain, and the key can
 * rotate without a service ever serving a sealed value.
 */
const run = randomBytes(4).toString('hex');
const created: string[] = [];
const clients: ConfigClient<AppConfig>[] = [];
const raw: Redis[] = [];
const { primary, replicas } = endpoints();
const replica = replicas[0]!;
const devstackKeys = secretKeysFromEnv(process.env);

const secret = (name: string) => `${name}-${run}-${randomBytes(16).toString('hex')}`;
/** Each region's raw entry, read as the services' reader user reads it. */
const regions = [
  { region: primary.region, url: primary.url },
  ...replicas.map((r) => ({ region: r.region, url: r.url })),
];
function rawReaders() {
  const readers = regions.map((r) => ({ ...r, redis: redisAs('reader', r.url) }));
  raw.push(...readers.map((r) => r.redis));
  return readers;
}

function client(keys: ReadonlyMap<string, Uint8Array>, appId: string) {
  const c = createConfigClient<AppConfig>({
    redisUrl: replica.url,
    connection: connectionAs('reader', replica.url),
    region: replica.region,
    apps: [appId],
    stampCheckIntervalMs: 200,
    readyTimeoutMs: 3_000,
    secretKeys: keys,
  });
  clients.push(c);
  return c;
}

async function newApp(config: AppConfig): Promise<AppDoc> {
  const id = `seal-${run}-${created.length}`;
  created.push(id);
  const { app } = await createApp({
    id,
    tenantId: `seal-${run}`,
    name: id,
    description: '',
    config,
    author: testAuthor,
    message: 'sealed secrets int test',
  });
  const head = await readHead(id);
  if (!head) throw new Error('createApp left no head');
  expect((await pushVersion(head)).pushed).toBe(true);
  return app;
}

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  for (const r of raw) r.disconnect();
  await removeApps(created);
  await (await getDb()).dropDatabase();
  await closeStores({ subscribers: true });
});

describe('secrets sealed in the cache', () => {
  it('runs with a key: the devstack seals by default', () => {
    expect(process.env.CACHE_SECRET_KEY_ID).toBeTruthy();
    expect(devstackKeys.has(process.env.CACHE_SECRET_KEY_ID!)).toBe(true);
  });

  it('leaves no plain secret in any region, keeps the stamp, and the client serves them plain', async () => {
    const google = secret('google');
    const webhook = secret('whsec');
    const config = configWithSecrets([google, webhook], 'Sealed');
    const app = await newApp(config);
    const head = (await readHead(app._id))!;
    expect(head.checksum).toBe(checksum(config));

    for (const r of rawReaders()) {
      const entry = await waitFor(
        async () => {
          const fields = await r.redis.hgetall(configKey(app._id));
          return fields.version === '1' ? fields : null;
        },
        5_000,
        `v1 in ${r.region}`,
      );
      // The stamp is MongoDB's: the checksum of the plain config, whatever sealed it.
      expect(entry.checksum, r.region).toBe(head.checksum);
      const text = JSON.stringify(entry);
      expect(text, r.region).not.toContain(google);
      expect(text, r.region).not.toContain(webhook);
      const body = JSON.parse(entry.body!) as AppConfig;
      expect(body.signIn.social[0]?.clientSecret).toMatchObject({
        $enc: 'v1',
        kid: process.env.CACHE_SECRET_KEY_ID,
      });
      expect(body.webhooks[0]?.signingSecret).toMatchObject({ $enc: 'v1' });
      // What is served stays readable: only the secrets are sealed.
      expect(body.signIn.social[0]?.clientId).toBe(config.signIn.social[0]?.clientId);
      expect(body.webhooks[0]?.url).toBe(config.webhooks[0]?.url);
    }

    const entry = await client(devstackKeys, app._id).ready(app._id);
    expect(entry.checksum).toBe(head.checksum);
    expect(entry.config).toEqual(config);
  });

  it('rotates: re-sealed heads need the new key; a client without it keeps its version, says why, and recovers when re-sealed under a key it holds', async () => {
    const google = secret('google');
    const app = await newApp(configWithSecrets([google, secret('whsec')], 'Sealed'));
    const rotated: SealingKey = { kid: `rotated-${run}`, key: randomBytes(32) };
    const both = new Map([...devstackKeys, [rotated.kid, rotated.key]]);
    const behind = client(devstackKeys, app._id); // never given the new key
    const ahead = client(both, app._id);
    await Promise.all([behind.ready(app._id), ahead.ready(app._id)]);

    const reports = await resealAllHeads({ key: rotated });
    expect(reports).toEqual([
      expect.objectContaining({
        configs: created.length,
        resealed: created.length,
        keyIds: { [rotated.kid]: created.length },
      }),
    ]);
    for (const r of rawReaders()) {
      await waitFor(
        async () => (await r.redis.hmget(configKey(app._id), 'body'))[0]?.includes(rotated.kid),
        5_000,
        `the re-sealed body in ${r.region}`,
      );
      // Same version, same stamp: re-sealing changes no version a region or a client holds.
      expect(await r.redis.hmget(configKey(app._id), 'version', 'checksum')).toEqual([
        '1',
        (await readHead(app._id))!.checksum,
      ]);
    }

    // A service started now needs the new key; with both it reads the re-sealed entry.
    const late = client(devstackKeys, app._id);
    await expect(late.ready(app._id)).rejects.toThrow(
      new RegExp(`sealed with key "${rotated.kid}", which this client was not given`),
    );
    expect((await client(both, app._id).ready(app._id)).config).toMatchObject({
      signIn: { social: [{ clientSecret: google }] },
    });

    // v2 sealed with the new key: the client without it refuses it and keeps serving v1.
    const errors: ConfigClientError[] = [];
    behind.onError((error) => errors.push(error));
    const v2 = configWithSecrets([secret('google'), secret('whsec')], 'Sealed');
    const commit = await commitVersion({
      app,
      expectedVersion: 1,
      data: v2,
      author: testAuthor,
      message: 'v2',
    });
    if (commit.status !== 'committed') throw new Error('v2 did not commit');
    await pushToPrimary(primaryRedis(), {
      appId: app._id,
      version: 2,
      checksum: commit.doc.checksum,
      data: v2,
      committedAt: commit.doc.createdAt,
      sealingKey: rotated,
    });
    await waitFor(() => ahead.peek(app._id)?.version === 2, 5_000, 'v2 in the client with both');
    expect(ahead.get(app._id).config).toEqual(v2);
    const refused = await waitFor(() => errors[0], 5_000, 'the refusal');
    expect(refused).toMatchObject({ kind: 'missing-key', appId: app._id, version: 2 });
    expect(refused.message).toContain(`it holds ${[...devstackKeys.keys()].join(', ')}`);
    expect(refused.message).toContain('still serving version 1');
    expect(behind.get(app._id).version).toBe(1);
    expect(behind.get(app._id).config.signIn.social[0]?.clientSecret).toBe(google);
    await waitFor(() => behind.staleness(app._id) > 0, 3_000, 'staleness to count');
    expect(behind.stats().rejected).toBe(1);

    // Rolled back to the key it holds (re-sealed, same stamp): it reads the entry again and
    // catches up, without restarting and without reporting the refusal twice.
    const [kid] = devstackKeys.keys();
    await resealAllHeads({ key: { kid: kid!, key: devstackKeys.get(kid!)! } });
    await waitFor(() => behind.peek(app._id)?.version === 2, 5_000, 'v2 after the roll-back');
    expect(behind.get(app._id).config).toEqual(v2);
    expect(errors).toHaveLength(1);
  });
});
