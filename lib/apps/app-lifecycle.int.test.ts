import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { endpoints } from '@/devstack/endpoints';
import { waitFor } from '@/test/helpers/devstack';
import { archiveApp } from '@/lib/actions/archive-app';
import { createApp as createAppAction } from '@/lib/actions/create-app';
import { restoreApp } from '@/lib/actions/restore-app';
import { saveConfig } from '@/lib/actions/save-config';
import { updateAppDetails } from '@/lib/actions/update-app-details';
import { configKey, UPDATES_CHANNEL } from '@/lib/contract/cache-layout';
import { AppArchivedError, secretKeysFromEnv, type ConfigChange } from '@/lib/config-client';
import { createApp, searchAppsPage } from '@/lib/db/apps';
import { collections } from '@/lib/db/collections';
import { getVersion } from '@/lib/db/config-versions';
import { readHead } from '@/lib/db/heads';
import { readAppInstances } from '@/lib/instances/app-instances';
import { pushVersion } from '@/lib/propagation/push-version';
import { primaryRedis } from '@/lib/redis/clients';
import { defaultConfig, type AppConfig } from '@/lib/schemas/config';
import { maskSecrets, secretValues } from '@/lib/secrets';
import { configWithSecrets } from '@/test/helpers/config-arbitraries';
import { testPrincipal } from '@/test/helpers/principals';
import { closeStores } from '@/test/helpers/stores';
import { readerClient, reportToPrimary } from '@/test/helpers/config-clients';

/**
 * Creating, archiving and restoring apps through the actions, against the devstack: MongoDB over
 * the wire, the real push script on the primary, and a real config client on a replica.
 */
const run = randomBytes(4).toString('hex');
const tenantId = `life-${run}`;
const admin = testPrincipal('admin', tenantId, run);
const meta = { ip: '203.0.113.9', userAgent: 'lifecycle test' };
const appIds: string[] = [];
const newId = (label: string) => {
  const id = `${label}-${run}`;
  appIds.push(id);
  return id;
};

const SOURCE_GOOGLE = `google-${randomBytes(16).toString('hex')}`;
const SOURCE_WEBHOOK = `whsec-${randomBytes(16).toString('hex')}`;
const COPY_GOOGLE = `copy-google-${randomBytes(16).toString('hex')}`;
const COPY_WEBHOOK = `copy-whsec-${randomBytes(16).toString('hex')}`;

const sourceConfig = (): AppConfig =>
  configWithSecrets([SOURCE_GOOGLE, SOURCE_WEBHOOK], 'Source app');

let sourceId = '';

async function headVersion(appId: string): Promise<number> {
  return (await readHead(appId, { data: false }))?.version ?? 0;
}

beforeAll(async () => {
  sourceId = newId('source');
  await createApp({
    id: sourceId,
    tenantId,
    name: 'Source app',
    description: '',
    config: sourceConfig(),
    author: { userId: 'seed', name: 'Seed', email: 'seed@example.test' },
    message: 'seed',
  });
});

afterAll(async () => {
  const c = await collections();
  await Promise.all([
    c.apps.deleteMany({ tenantId }),
    c.configVersions.deleteMany({ tenantId }),
    ...appIds.map((id) => primaryRedis().del(configKey(id))),
  ]);
  await closeStores();
});

describe('creating an app', () => {
  it('asks for every secret of a copied app and never copies one', async () => {
    const id = newId('copy');
    const input = { id, name: 'Copied app', description: 'A copy', copyFrom: sourceId };

    const missing = await createAppAction.run(admin, input, meta);
    expect(missing.status).toBe('invalid');
    expect(missing.status === 'invalid' && Object.keys(missing.fieldErrors).sort()).toEqual([
      'secrets.signIn.social.google.clientSecret',
      'secrets.webhooks.orders.signingSecret',
    ]);
    expect(await (await collections()).apps.findOne({ _id: id })).toBeNull();

    const secrets = {
      'signIn.social.google.clientSecret': COPY_GOOGLE,
      'webhooks.orders.signingSecret': COPY_WEBHOOK,
    };
    const created = await createAppAction.run(admin, { ...input, secrets }, meta);
    expect(created).toMatchObject({ status: 'ok', data: { appId: id, version: 1, pushed: true } });
    expect(JSON.stringify(created)).not.toContain(SOURCE_GOOGLE);

    const head = await readHead(id);
    expect(head?.version).toBe(1);
    expect(secretValues(head!.data).sort()).toEqual([COPY_GOOGLE, COPY_WEBHOOK]);
    // Everything but the secrets is the source's configuration.
    expect(maskSecrets(head!.data)).toEqual(maskSecrets(sourceConfig()));
    expect(await primaryRedis().hget(configKey(id), 'version')).toBe('1');

    const again = await createAppAction.run(admin, { ...input, secrets }, meta);
    expect(again.status === 'invalid' && again.fieldErrors.id).toEqual([
      'This id is taken. App ids are unique across Propagate; choose another.',
    ]);
  });

  it('starts from the template, and refuses ids that cannot name a cache key', async () => {
    const id = newId('fresh');
    const created = await createAppAction.run(admin, { id, name: 'Fresh app' }, meta);
    expect(created.status).toBe('ok');
    expect((await readHead(id))?.data).toEqual(defaultConfig('Fresh app'));

    const bad = await createAppAction.run(admin, { id: 'Bad Id!', name: 'x' }, meta);
    expect(bad.status === 'invalid' && bad.fieldErrors.id?.[0]).toMatch(/lower-case letters/);
  });
});

describe('archiving and restoring', () => {
  it('makes a config client stop serving the app, and serve it again after a restore', async () => {
    const id = newId('lifecycle');
    await createAppAction.run(admin, { id, name: 'Lifecycle app' }, meta);
    const replica = endpoints().replicas[0];
    if (!replica) throw new Error('needs a replica region');
    const client = readerClient(replica, {
      secretKeys: secretKeysFromEnv(process.env),
      stampCheckIntervalMs: 200,
      report: reportToPrimary(200),
      instanceId: `lifecycle-${run}`,
    });
    const reported = async () =>
      (await readAppInstances(id)).regions
        .flatMap((r) => r.instances)
        .find((i) => i.instanceId === `lifecycle-${run}`);
    const changes: ConfigChange[] = [];
    client.onChange((change) => changes.push(change));
    try {
      expect((await client.ready(id)).version).toBe(1);

      const archived = await archiveApp.run(
        admin,
        { appId: id, baseVersion: await headVersion(id), reason: 'replaced' },
        meta,
      );
      expect(archived).toMatchObject({ status: 'ok', data: { version: 2, pushed: true } });
      await waitFor(() => client.archived(id) !== null, 3_000, 'the client to see the tombstone');
      expect(() => client.get(id)).toThrow(AppArchivedError);
      expect(client.peek(id)).toBeNull();
      expect(changes.at(-1)).toMatchObject({ current: null, archived: { version: 2 } });
      await expect(client.ready(id)).rejects.toBeInstanceOf(AppArchivedError);
      // The client says so in its report, and the app page reads it as "gone".
      await waitFor(
        async () => (await reported())?.gone === true,
        3_000,
        'a report of "gone"',
        100,
      );
      expect(await reported()).toMatchObject({ version: 2, state: 'current', gone: true });
      expect((await readAppInstances(id)).head).toMatchObject({ version: 2, archived: true });

      // The cache entry is a tombstone: no body a service could still serve.
      const entry = await primaryRedis().hgetall(configKey(id));
      expect(entry).toMatchObject({ version: '2', archived: '1' });
      expect(entry.body).toBeUndefined();

      // Archived apps are listed apart and are read-only.
      const c = await collections();
      expect((await c.apps.findOne({ _id: id }))?.archivedAt).toBeInstanceOf(Date);
      const lists = await Promise.all([
        searchAppsPage(admin, { archived: true, query: run }),
        searchAppsPage(admin, { archived: false, query: run }),
      ]);
      expect(lists[0].apps.map((a) => a.id)).toContain(id);
      expect(lists[1].apps.map((a) => a.id)).not.toContain(id);
      const head = (await readHead(id))!;
      const save = await saveConfig.run(
        admin,
        { appId: id, baseVersion: 2, config: maskSecrets(head.data), message: 'x' },
        meta,
      );
      expect(save.status).toBe('invalid');
      expect(save.status === 'invalid' && save.message).toMatch(/archived and read-only/);
      const rename = await updateAppDetails.run(
        admin,
        { appId: id, name: 'Renamed', description: '' },
        meta,
      );
      expect(rename.status).toBe('invalid');
      expect(
        (
          await archiveApp.run(
            admin,
            { appId: id, baseVersion: await headVersion(id), reason: '' },
            meta,
          )
        ).status,
      ).toBe('invalid');

      const restored = await restoreApp.run(
        admin,
        { appId: id, baseVersion: await headVersion(id), reason: '' },
        meta,
      );
      expect(restored).toMatchObject({ status: 'ok', data: { version: 3, pushed: true } });
      await waitFor(() => client.peek(id)?.version === 3, 3_000, 'the client to serve v3');
      expect(client.get(id).checksum).toBe((await getVersion(id, 1))?.checksum);
      expect(client.archived(id)).toBeNull();
      expect((await c.apps.findOne({ _id: id }))?.archivedAt).toBeNull();
      await waitFor(async () => (await reported())?.version === 3, 3_000, 'a report of v3', 100);
      expect(await reported()).toMatchObject({ state: 'current', gone: false });
    } finally {
      await client.close();
    }
  });

  it('never lets a tombstone regress a client that holds the newer, restored version', async () => {
    const id = newId('late');
    await createAppAction.run(admin, { id, name: 'Late tombstone' }, meta);
    await archiveApp.run(
      admin,
      { appId: id, baseVersion: await headVersion(id), reason: '' },
      meta,
    );
    await restoreApp.run(
      admin,
      { appId: id, baseVersion: await headVersion(id), reason: '' },
      meta,
    );
    const replica = endpoints().replicas[1] ?? endpoints().replicas[0];
    if (!replica) throw new Error('needs a replica region');
    const client = readerClient(replica, {
      secretKeys: secretKeysFromEnv(process.env),
      stampCheckIntervalMs: 200,
    });
    try {
      expect((await client.ready(id)).version).toBe(3);
      const tombstone = (await getVersion(id, 2))!;
      expect(tombstone.archived).toBe(true);

      // A late retry of the tombstone: the compare-and-set refuses it.
      expect((await pushVersion({ ...tombstone, pushAttempts: 1 })).pushed).toBe(true);
      expect(await primaryRedis().hget(configKey(id), 'version')).toBe('3');

      // Its announcement arriving late, and the tombstone written behind the script's back
      // (as a stale cache could hold it): the client keeps serving v3.
      const before = client.stats();
      await primaryRedis().publish(
        UPDATES_CHANNEL,
        JSON.stringify({
          appId: id,
          version: 2,
          checksum: tombstone.checksum,
          committedAt: tombstone.createdAt.getTime(),
          archived: true,
        }),
      );
      await primaryRedis().del(configKey(id));
      await primaryRedis().hset(configKey(id), {
        version: '2',
        checksum: tombstone.checksum,
        archived: '1',
        committedAt: String(tombstone.createdAt.getTime()),
        pushedAt: String(Date.now()),
      });
      await waitFor(() => client.stats().ignored > before.ignored, 3_000, 'the message ignored');
      const checks = client.stats().stampChecks;
      await waitFor(() => client.stats().stampChecks >= checks + 2, 3_000, 'two stamp checks');
      expect(client.get(id).version).toBe(3);

      // A message announcing something newer makes the client read the entry: the read finds
      // the old tombstone and must not apply it.
      const ignored = client.stats().ignored;
      await primaryRedis().publish(
        UPDATES_CHANNEL,
        JSON.stringify({ appId: id, version: 4, checksum: 'x', committedAt: Date.now() }),
      );
      await waitFor(() => client.stats().ignored > ignored, 3_000, 'the read to be ignored');
      expect(client.get(id).version).toBe(3);
      expect(client.archived(id)).toBeNull();
    } finally {
      await client.close();
    }
  });
});
