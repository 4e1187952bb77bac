/**
 * The app's MongoDB connection as production runs it: discovered as a replica set, saves
 * committed with majority write concern as retryable writes, reads at majority, and a URI that
 * names the wrong set failing with an error that says so.
 */
import { randomBytes } from 'node:crypto';
import { MongoClient, type TopologyType } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RunningServer, start } from '@/devstack/mongo/server';

const stackUri = process.env.MONGODB_URI as string;
const run = randomBytes(4).toString('hex');

describe('the devstack', () => {
  it('names its replica set in MONGODB_URI, so every suite connects through discovery', async () => {
    expect(stackUri).toMatch(/[?&]replicaSet=[^&]+/);
    const client = new MongoClient(stackUri, { serverSelectionTimeoutMS: 5_000 });
    let type: TopologyType | undefined;
    client.on('topologyDescriptionChanged', (e) => (type = e.newDescription.type));
    try {
      await client.connect();
      expect(type).toBe('ReplicaSetWithPrimary');
    } finally {
      await client.close();
    }
  });
});

let closeApp: (() => Promise<void>) | undefined;

/**
 * The app's modules, loaded afresh so that `env` reads the MONGODB_URI set just before; the
 * client of the previous load is closed first (it is cached on globalThis, across loads).
 */
async function appWith(uri: string) {
  await closeApp?.();
  process.env.MONGODB_URI = uri;
  vi.resetModules();
  const mongo = await import('@/lib/db/mongo');
  closeApp = mongo.closeMongo;
  return {
    mongo,
    apps: await import('@/lib/db/apps'),
    config: await import('@/lib/schemas/config'),
  };
}

describe("the app's connection", () => {
  let server: RunningServer;
  const received: Record<string, unknown>[] = [];

  beforeAll(async () => {
    server = await start({ port: 0, onCommand: (body) => received.push(body) });
  });

  afterAll(async () => {
    await closeApp?.();
    await server?.stop();
    process.env.MONGODB_URI = stackUri;
  });

  it('commits a save with w: majority as a retryable write, and reads at majority', async () => {
    const { apps, config } = await appWith(server.uri);
    const id = `rs-${run}`;
    await apps.createApp({
      id,
      tenantId: `t-${run}`,
      name: 'Replica set',
      description: 'integration test',
      config: config.defaultConfig('Replica set'),
      author: { userId: `u-${run}`, name: 'Test', email: 'test@example.test' },
      message: 'Created',
    });
    const commits = received.filter((b) => b.insert === 'config_versions');
    expect(commits).toHaveLength(1);
    expect(commits[0]).toMatchObject({ writeConcern: { w: 'majority', wtimeout: 10_000 } });
    expect(commits[0]).toHaveProperty('txnNumber');
    expect(commits[0]).toHaveProperty('lsid.id');
    const reads = received.filter((b) => 'find' in b || 'aggregate' in b);
    expect(reads.length).toBeGreaterThan(0);
    for (const read of reads) expect(read.readConcern).toEqual({ level: 'majority' });
  });

  it('fails to connect, naming both sets, when MONGODB_URI names another replica set', async () => {
    const { mongo } = await appWith(server.uri.replace('replicaSet=devstack', 'replicaSet=rs0'));
    await expect(mongo.getDb()).rejects.toThrow(
      `MongoDB: MONGODB_URI names replica set "rs0", but 127.0.0.1:${server.port} is a member of "devstack"; fix replicaSet= in MONGODB_URI`,
    );
  });
});
