import { randomBytes } from 'node:crypto';
import { configKey } from '@/lib/contract/cache-layout';
import { createApp } from '@/lib/db/apps';
import { collections, type AppDoc, type ConfigVersionDoc } from '@/lib/db/collections';
import { commitVersion } from '@/lib/db/config-versions';
import { readHead } from '@/lib/db/heads';
import { pushVersion } from '@/lib/propagation/push-version';
import { primaryRedis } from '@/lib/redis/clients';
import { defaultConfig } from '@/lib/schemas/config';

/** Shared by the propagation integration tests: apps of their own, saved as the action saves. */

export const testAuthor = { userId: 'int-test', name: 'Int Test', email: 'int@example.test' };

/** A new app with its version 1 committed and pushed; its id is added to `created` for cleanup. */
export async function createPushedApp(
  tenantId: string,
  created: string[],
  prefix = 'prop',
): Promise<AppDoc> {
  const id = `${prefix}-${randomBytes(5).toString('hex')}`;
  created.push(id);
  const { app } = await createApp({
    id,
    tenantId,
    name: id,
    description: '',
    config: defaultConfig(id),
    author: testAuthor,
    message: 'created by a propagation int test',
  });
  const head = await readHead(id);
  if (!head) throw new Error('createApp left no head');
  await pushVersion(head);
  return app;
}

/** A save as the action does it: commit the next version, then push (which may fail). */
export async function saveNextVersion(
  app: AppDoc,
): Promise<{ doc: ConfigVersionDoc; pushed: boolean }> {
  const head = await readHead(app._id);
  const version = (head?.version ?? 0) + 1;
  const data = defaultConfig(`${app._id} v${version}`);
  const outcome = await commitVersion({
    app,
    expectedVersion: version - 1,
    data,
    author: testAuthor,
    message: `v${version}`,
  });
  if (outcome.status !== 'committed') throw new Error(`commit of v${version} conflicted`);
  const push = await pushVersion(outcome.doc);
  return { doc: outcome.doc, pushed: push.pushed };
}

/** Everything the tests wrote for these apps, in MongoDB and in the cache. */
export async function removeApps(ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const c = await collections();
  await Promise.all([
    c.apps.deleteMany({ _id: { $in: [...ids] } }),
    c.configVersions.deleteMany({ appId: { $in: [...ids] } }),
    c.arrivals.deleteMany({ appId: { $in: [...ids] } }),
    c.audit.deleteMany({ appId: { $in: [...ids] } }),
  ]);
  // One DEL per key: on a cluster the keys live on different slots.
  const redis = primaryRedis();
  await Promise.all(ids.map((id) => redis.del(configKey(id))));
}
