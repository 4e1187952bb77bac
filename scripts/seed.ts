/**
 * `node --conditions=react-server --import tsx scripts/seed.ts` with the devstack env: creates
 * the demo tenants, users and apps that are missing (never touching existing history) and
 * pushes every demo head to the primary cache.
 */
import { resetUndeclaredCacheState } from '@/lib/db/cache-state';
import { closeMongo } from '@/lib/db/mongo';
import { listDeployments } from '@/lib/regions';
import { closeRedis } from '@/lib/redis/clients';
import { seedDemo } from '@/lib/seed/demo-seed';
import { seedRefusal } from './seed-guard';

const refusal = seedRefusal(process.env);
if (refusal) {
  console.error(
    `[seed] refuses to run: ${refusal}. The demo seed creates accounts with a published password; it is for the devstack only.`,
  );
  process.exit(1);
}

const list = (items: string[]) => (items.length ? items.join(', ') : 'none');

try {
  if (await resetUndeclaredCacheState(listDeployments().map((d) => d.name)))
    console.log(
      `[seed] the cache state named undeclared deployments; services start on ${listDeployments()[0]?.name}`,
    );
  const report = await seedDemo();
  console.log(`[seed] tenants created: ${list(report.tenantsCreated)}`);
  console.log(`[seed] users created: ${list(report.usersCreated)}`);
  console.log(`[seed] apps created: ${list(report.appsCreated)}`);
  console.log(`[seed] pushed to the primary cache: ${list(report.pushed)}`);
  for (const failure of report.pushFailed) {
    // Not fatal: the worker retries unpushed versions.
    console.warn(
      `[seed] push of ${failure.appId} failed (the worker will retry): ${failure.error}`,
    );
  }
} catch (error) {
  console.error('[seed] failed:', error);
  process.exitCode = 1;
} finally {
  await Promise.all([closeMongo(), closeRedis()]);
}
