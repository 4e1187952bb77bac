import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checksum } from '../lib/contract/canonical-json';
import { connectionFromEnv } from '../lib/config-client/connection-env';
import { createConfigClient, secretKeysFromEnv, type ConfigClient } from '../lib/config-client';
import { pushToPrimary } from '../lib/propagation/push';
import { connectionOptions } from '../lib/redis/clients';
import { endpoints } from './endpoints';
import { down, up, type StackInfo } from './stack';
import { deploymentDir, stackCredentials } from './state';
import { makeCertificates } from './tls';
import { quitAll } from '../test/helpers/devstack';

/**
 * A deployment run over TLS (`up({ tls: true })`, `npm run stack:up -- --tls`) beside the int
 * stack: rediss:// URLs, a CA made at start and a certificate for a name that is not the
 * address. Propagate's writer pushes through TLS with the CA file and server name from the
 * deployment's settings, a config client reads the version from the replica through TLS, and a
 * client that trusts another CA, expects another name or speaks plain TCP gets nothing.
 */
const home = process.env.PROPAGATE_DEVSTACK_DIR ?? '';
const dir = deploymentDir(home, `tls-${process.pid}`);
let stack: StackInfo;
const opened: Redis[] = [];
const scratch = mkdtempSync(path.join(tmpdir(), 'propagate-tls-'));

beforeAll(async () => {
  stack = await up({
    dir,
    primaryRegion: 'us-east-1',
    regions: [{ name: 'eu-west-1', delayMs: 0 }],
    mongo: false,
    tls: true,
    credentials: stackCredentials(home),
  });
});

afterAll(async () => {
  await quitAll(opened);
  await down(dir);
  rmSync(scratch, { recursive: true, force: true });
});

/** The writer's options exactly as the app builds them from a deployment's settings. */
function writerOptions(): RedisOptions {
  return connectionOptions({
    connection: {
      tls: true,
      tlsCaFile: stack.env.REDIS_TLS_CA_FILE,
      tlsServername: stack.env.REDIS_TLS_SERVERNAME,
      username: stack.env.REDIS_USERNAME,
      password: stack.env.REDIS_PASSWORD,
    },
  });
}

function open(url: string, options: RedisOptions): Redis {
  const client = new Redis(url, {
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 3_000,
    ...options,
  });
  client.on('error', (error: Error) => errors.set(client, error));
  opened.push(client);
  return client;
}

/** Why a connection failed: ioredis rejects the command with "Connection is closed." and
 * reports the TLS error itself on its error event. */
const errors = new Map<Redis, Error>();
async function refusal(client: Redis): Promise<string> {
  await expect(client.ping()).rejects.toThrow();
  return errors.get(client)?.message ?? '(no error event)';
}

describe('a cache deployment over TLS', () => {
  it('writes rediss:// URLs, the CA file and the server name to the env', () => {
    const { primary, replicas } = endpoints(stack.env);
    expect(primary.url).toMatch(/^rediss:\/\/127\.0\.0\.1:\d+$/);
    expect(replicas.map((r) => r.url.startsWith('rediss://'))).toEqual([true]);
    expect(stack.env.REDIS_TLS_CA_FILE).toBe(path.join(dir, 'tls', 'ca.pem'));
    expect(stack.env.REDIS_TLS_SERVERNAME).toBe('redis.devstack.test');
  });

  it('pushes through TLS, replicates over TLS, and a config client reads it through TLS', async () => {
    const { primary, replicas } = endpoints(stack.env);
    const replica = replicas[0];
    if (!replica) throw new Error('needs a replica');
    const writer = open(primary.url, writerOptions());
    const appId = `tls-${process.pid}`;
    const data = { name: 'Over TLS' };
    const outcome = await pushToPrimary(writer, {
      appId,
      version: 1,
      checksum: checksum(data),
      data,
      committedAt: new Date(),
    });
    expect(outcome.status).toBe('written');
    let client: ConfigClient | undefined;
    try {
      client = createConfigClient({
        redisUrl: replica.url,
        connection: connectionFromEnv(stack.env, 'CONFIG_READER', replica.url),
        secretKeys: secretKeysFromEnv(stack.env),
        region: replica.region,
        readyTimeoutMs: 10_000,
      });
      const entry = await client.ready(appId);
      expect(entry).toMatchObject({ version: 1, config: data });
      // ready() resolves on the first verified read; the subscription (its own TLS connection)
      // may still be on its way, and connected waits for both.
      await expect.poll(() => client?.status().connected, { timeout: 5_000 }).toBe(true);
    } finally {
      await client?.close();
      await writer.del(`propagate:cfg:${appId}`);
    }
  });

  it('refuses a client that trusts another CA', async () => {
    const other = makeCertificates(scratch);
    const { primary } = endpoints(stack.env);
    const wrongCa = open(primary.url, {
      ...writerOptions(),
      tls: { servername: 'redis.devstack.test', ca: readFileSync(other.ca) },
    });
    expect(await refusal(wrongCa)).toMatch(/certificate|self.signed|verify/i);
  });

  it('refuses a client that expects another server name, and one that speaks plain TCP', async () => {
    const { primary } = endpoints(stack.env);
    const options = writerOptions();
    const misnamed = open(primary.url, {
      ...options,
      tls: { ...options.tls, servername: 'cache.elsewhere.test' },
    });
    expect(await refusal(misnamed)).toMatch(/altnames|does not match|Hostname/i);
    const plain = open(primary.url.replace('rediss://', 'redis://'), {
      username: stack.env.REDIS_USERNAME,
      password: stack.env.REDIS_PASSWORD,
      connectTimeout: 1_000,
      commandTimeout: 1_000,
    });
    await expect(plain.ping()).rejects.toThrow();
  });

  it('a config client that trusts another CA never connects, and its ready() says so', async () => {
    const { replicas } = endpoints(stack.env);
    const replica = replicas[0];
    if (!replica) throw new Error('needs a replica');
    const other = makeCertificates(path.join(scratch, 'second'));
    const client = createConfigClient({
      redisUrl: replica.url,
      connection: {
        ...connectionFromEnv(stack.env, 'CONFIG_READER', replica.url),
        tls: { ca: readFileSync(other.ca), servername: 'redis.devstack.test' },
      },
      region: replica.region,
      readyTimeoutMs: 1_500,
    });
    try {
      await expect(client.ready('tls-never')).rejects.toThrow();
      expect(client.status().connected).toBe(false);
    } finally {
      await client.close();
    }
  });
});
