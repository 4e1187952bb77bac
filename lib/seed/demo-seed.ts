import 'server-only';
import { hashPassword } from '@/lib/auth/password';
import { createApp } from '@/lib/db/apps';
import { ensureIndexes, type Author, type ConfigVersionDoc } from '@/lib/db/collections';
import { commitVersion } from '@/lib/db/config-versions';
import { readHead } from '@/lib/db/heads';
import { ensureTenant } from '@/lib/db/tenants';
import { findUserById, upsertUser } from '@/lib/db/users';
import { pushVersion } from '@/lib/propagation/push-version';
import { isStrongSecret } from '@/lib/schemas/secret-strength';
import { secretValues, withSecretsFrom } from '@/lib/secrets';
import { demoApps, DEMO_TENANTS, type DemoApp } from '@/lib/seed/demo-configs';
import { DEMO_PASSWORD, DEMO_USERS } from '@/lib/seed/demo-users';

export { DEMO_PASSWORD, DEMO_USERS };

export const SEED_AUTHOR: Author = {
  userId: 'system:seed',
  name: 'Propagate seed',
  email: 'seed@propagate.test',
};

/**
 * Demo apps seeded before secrets had to be strong hold the old, weak demo secrets, and an edit
 * that keeps one is refused. The seed swaps in today's demo secrets as a new version (history
 * keeps the old one), so the demo and the tests edit those apps as before.
 */
async function replaceWeakDemoSecrets(
  app: DemoApp,
  head: ConfigVersionDoc | null,
): Promise<ConfigVersionDoc | null> {
  if (!head || head.archived || secretValues(head.data).every(isStrongSecret)) return head;
  const outcome = await commitVersion({
    app: { _id: app.id, tenantId: app.tenantId },
    expectedVersion: head.version,
    data: withSecretsFrom(head.data, app.config),
    author: SEED_AUTHOR,
    message: 'Demo secrets replaced with strong ones',
  });
  return outcome.status === 'committed' ? outcome.doc : await readHead(app.id);
}

export interface SeedReport {
  tenantsCreated: string[];
  usersCreated: string[];
  appsCreated: string[];
  pushed: string[];
  pushFailed: { appId: string; error: string }[];
}

/**
 * Creates whatever of the demo data is missing and leaves the rest alone: existing users keep
 * their password and sessions, existing apps keep their history. Then pushes every demo app's
 * head to the primary cache, which is harmless when it is already there (compare-and-set) and
 * repairs a primary that restarted empty.
 */
export async function seedDemo(): Promise<SeedReport> {
  await ensureIndexes();
  const report: SeedReport = {
    tenantsCreated: [],
    usersCreated: [],
    appsCreated: [],
    pushed: [],
    pushFailed: [],
  };

  for (const tenant of DEMO_TENANTS) {
    if (await ensureTenant(tenant)) report.tenantsCreated.push(tenant.id);
  }

  const passwordHash = await hashPassword(DEMO_PASSWORD);
  for (const user of Object.values(DEMO_USERS)) {
    if (await findUserById(user.id)) continue;
    await upsertUser({
      _id: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      tenantId: user.tenantId,
      passwordHash,
      disabled: false,
      sessionVersion: 0,
      createdAt: new Date(),
    });
    report.usersCreated.push(user.email);
  }

  for (const app of demoApps()) {
    const { created } = await createApp({
      ...app,
      author: SEED_AUTHOR,
      message: 'Initial configuration',
    });
    if (created) report.appsCreated.push(app.id);
    const head = await replaceWeakDemoSecrets(app, await readHead(app.id));
    if (!head) continue;
    const push = await pushVersion(head);
    if (push.pushed) report.pushed.push(`${app.id}@v${head.version}`);
    else report.pushFailed.push({ appId: app.id, error: push.error });
  }
  return report;
}
