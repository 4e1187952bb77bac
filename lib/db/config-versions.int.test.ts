import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApp, getAppForPrincipalOrThrow, searchAppsPage } from '@/lib/db/apps';
import { collections, ensureIndexes, type AppDoc, type Author } from '@/lib/db/collections';
import {
  commitVersion,
  getVersion,
  listHistory,
  type CommitResult,
} from '@/lib/db/config-versions';
import { readHead } from '@/lib/db/heads';
import { closeMongo } from '@/lib/db/mongo';
import { NotFoundError } from '@/lib/errors';
import { defaultConfig, type AppConfig } from '@/lib/schemas/config';
import { testPrincipal } from '@/test/helpers/principals';

const run = randomBytes(4).toString('hex');
const tenantId = `t-${run}`;
const otherTenantId = `t-${run}-other`;
const author: Author = { userId: `u-${run}`, name: 'Test Author', email: 'author@example.test' };
const appIds: string[] = [];

const admin = testPrincipal('admin', tenantId, run);
const support = testPrincipal('support', null, run);

async function newApp(suffix: string, tenant = tenantId): Promise<AppDoc> {
  const id = `it-${run}-${suffix}`;
  appIds.push(id);
  const { app } = await createApp({
    id,
    tenantId: tenant,
    name: `App ${suffix}`,
    description: 'integration test',
    config: defaultConfig(`App ${suffix}`),
    author,
    message: 'Created',
  });
  return app;
}

function withIdleTimeout(config: AppConfig, minutes: number): AppConfig {
  return { ...config, sessions: { ...config.sessions, idleTimeoutMinutes: minutes } };
}

beforeAll(async () => {
  await ensureIndexes();
});

afterAll(async () => {
  const c = await collections();
  await c.configVersions.deleteMany({ appId: { $in: appIds } });
  await c.apps.deleteMany({ _id: { $in: appIds } });
  await closeMongo();
});

describe('commitVersion', () => {
  it('lets exactly one of 20 concurrent saves from the same version win', async () => {
    const app = await newApp('race');
    const head = await readHead(app._id);
    expect(head?.version).toBe(1);

    const results: CommitResult[] = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        commitVersion({
          app,
          expectedVersion: 1,
          data: withIdleTimeout(defaultConfig('Race'), 60 + i),
          author: { ...author, name: `Editor ${i}` },
          message: `edit ${i}`,
        }),
      ),
    );

    const committed = results.filter((r) => r.status === 'committed');
    const conflicts = results.filter((r) => r.status === 'conflict');
    expect(committed).toHaveLength(1);
    expect(conflicts).toHaveLength(19);
    const winner = committed[0]!.doc;
    expect(winner.version).toBe(2);
    // Every loser is told what won, so the editor can show the other person's changes.
    for (const c of conflicts) expect(c.head?.version).toBe(2);

    const c = await collections();
    const versions = await c.configVersions
      .find({ appId: app._id }, { projection: { version: 1 } })
      .sort({ version: 1 })
      .toArray();
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    expect((await c.apps.findOne({ _id: app._id }))?.headVersion).toBe(2);
    expect((await getVersion(app._id, 2))?.author.name).toBe(winner.author.name);
  });

  it('keeps versions gap-free across rounds of concurrent saves', async () => {
    const app = await newApp('rounds');
    for (let round = 0; round < 3; round += 1) {
      const head = await readHead(app._id);
      await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          commitVersion({
            app,
            expectedVersion: head!.version,
            data: withIdleTimeout(defaultConfig('Rounds'), 100 + round * 10 + i),
            author,
            message: `round ${round} edit ${i}`,
          }),
        ),
      );
    }
    const history = await listHistory(app._id, { limit: 50 });
    expect(history.map((v) => v.version)).toEqual([4, 3, 2, 1]);
  });

  it('has the unique {appId, version} index that makes the race safe', async () => {
    const app = await newApp('index');
    const c = await collections();
    const v1 = (await readHead(app._id))!;
    const { _id: _ignored, ...copy } = v1;
    await expect(c.configVersions.insertOne({ ...copy })).rejects.toMatchObject({ code: 11000 });
  });

  it('refuses a stale or future expected version without writing', async () => {
    const app = await newApp('stale');
    const stale = await commitVersion({
      app,
      expectedVersion: 0,
      data: defaultConfig('Stale'),
      author,
      message: 'stale',
    });
    expect(stale).toMatchObject({ status: 'conflict', head: { version: 1 } });
    const future = await commitVersion({
      app,
      expectedVersion: 7,
      data: defaultConfig('Future'),
      author,
      message: 'future',
    });
    expect(future.status).toBe('conflict');
    expect(await listHistory(app._id, { limit: 10 })).toHaveLength(1);
  });

  it('stores the checksum of the canonical data and a null pushedAt (the outbox)', async () => {
    const app = await newApp('fields');
    const head = await readHead(app._id);
    expect(head).toMatchObject({
      version: 1,
      tenantId,
      pushedAt: null,
      pushAttempts: 0,
      rollbackOf: null,
      author,
      message: 'Created',
    });
    expect(head?.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses to store a config that is not valid (the last guard before storage)', async () => {
    const app = await newApp('guard');
    const broken = { ...defaultConfig('Guard'), extra: { $where: '1' } } as unknown as AppConfig;
    await expect(
      commitVersion({ app, expectedVersion: 1, data: broken, author, message: 'bad' }),
    ).rejects.toThrow();
    expect((await readHead(app._id))?.version).toBe(1);
  });
});

describe('rollback and history', () => {
  it('a rollback is a new version equal to the old one, and history lists newest first', async () => {
    const app = await newApp('history');
    const v1 = (await readHead(app._id))!;
    for (const minutes of [30, 45, 90]) {
      const head = (await readHead(app._id))!;
      const r = await commitVersion({
        app,
        expectedVersion: head.version,
        data: withIdleTimeout(v1.data, minutes),
        author,
        message: `idle ${minutes}`,
      });
      expect(r.status).toBe('committed');
    }
    const rollback = await commitVersion({
      app,
      expectedVersion: 4,
      data: v1.data,
      author,
      message: 'Rolled back to v1',
      rollbackOf: 1,
    });
    expect(rollback.status).toBe('committed');
    if (rollback.status !== 'committed') return;
    expect(rollback.doc.version).toBe(5);
    expect(rollback.doc.rollbackOf).toBe(1);
    expect(rollback.doc.checksum).toBe(v1.checksum);
    expect((await getVersion(app._id, 5))?.data).toEqual(v1.data);

    const history = await listHistory(app._id, { limit: 10 });
    expect(history.map((v) => v.version)).toEqual([5, 4, 3, 2, 1]);
    expect(history.map((v) => v.message)).toEqual([
      'Rolled back to v1',
      'idle 90',
      'idle 45',
      'idle 30',
      'Created',
    ]);
    // Lists carry no data (it can be large and holds secrets).
    expect(history[0]).not.toHaveProperty('data');

    const page2 = await listHistory(app._id, { limit: 2, before: 4 });
    expect(page2.map((v) => v.version)).toEqual([3, 2]);
  });
});

describe('apps', () => {
  it('createApp is idempotent and never touches existing history', async () => {
    const app = await newApp('idempotent');
    await commitVersion({
      app,
      expectedVersion: 1,
      data: withIdleTimeout(defaultConfig('Again'), 33),
      author,
      message: 'second',
    });
    const again = await createApp({
      id: app._id,
      tenantId,
      name: 'Renamed?',
      description: 'should not change',
      config: defaultConfig('Other'),
      author,
      message: 'Created again',
    });
    expect(again.created).toBe(false);
    expect(again.app.name).toBe(app.name);
    expect(again.app.headVersion).toBe(2);
    expect((await listHistory(app._id, { limit: 10 })).map((v) => v.version)).toEqual([2, 1]);
  });

  it('lists only the tenant’s apps, each with its last change', async () => {
    const mine = await newApp('list-mine');
    const theirs = await newApp('list-theirs', otherTenantId);
    await commitVersion({
      app: mine,
      expectedVersion: 1,
      data: withIdleTimeout(defaultConfig('Mine'), 20),
      author: { ...author, name: 'Second Editor' },
      message: 'Shorter idle timeout',
    });

    const listed = (await searchAppsPage(admin, { archived: false, pageSize: 1000 })).apps;
    const ids = listed.map((a) => a.id);
    expect(ids).toContain(mine._id);
    expect(ids).not.toContain(theirs._id);
    expect(listed.every((a) => a.tenantId === tenantId)).toBe(true);
    const entry = listed.find((a) => a.id === mine._id);
    expect(entry).toMatchObject({
      headVersion: 2,
      lastChange: {
        version: 2,
        message: 'Shorter idle timeout',
        author: { name: 'Second Editor' },
      },
    });

    const all = (
      await searchAppsPage(support, { archived: false, query: run, pageSize: 1000 })
    ).apps.map((a) => a.id);
    expect(all).toEqual(expect.arrayContaining([mine._id, theirs._id]));
  });

  it('reports unknown, malformed and foreign app ids all as “App not found.”', async () => {
    const mine = await newApp('lookup');
    const theirs = await newApp('lookup-theirs', otherTenantId);
    await expect(getAppForPrincipalOrThrow(admin, mine._id)).resolves.toMatchObject({
      _id: mine._id,
    });
    await expect(getAppForPrincipalOrThrow(support, theirs._id)).resolves.toMatchObject({
      _id: theirs._id,
    });
    for (const id of [theirs._id, `missing-${run}`, '$where', 'A', '{"$gt":""}']) {
      const attempt = getAppForPrincipalOrThrow(admin, id);
      await expect(attempt).rejects.toBeInstanceOf(NotFoundError);
      await expect(getAppForPrincipalOrThrow(admin, id)).rejects.toThrow('App not found.');
    }
  });
});
