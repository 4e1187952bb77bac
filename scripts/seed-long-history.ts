/**
 * `node --conditions=react-server --import tsx scripts/seed-long-history.ts [appId] [versions]`
 * with the devstack env: an Acme app with thousands of versions (default `acme-long-history`,
 * 5 000), to try the history page at length. Idempotent; devstack only, like the demo seed.
 */
import { closeMongo } from '@/lib/db/mongo';
import { closeRedis } from '@/lib/redis/clients';
import { seedLongHistory } from '@/lib/seed/long-history';
import { seedRefusal } from './seed-guard';

const refusal = seedRefusal(process.env);
if (refusal) {
  console.error(`[seed] refuses to run: ${refusal}.`);
  process.exit(1);
}

const [appId = 'acme-long-history', versions = '5000'] = process.argv.slice(2);
try {
  const { head } = await seedLongHistory({
    appId,
    tenantId: 'acme',
    name: 'Acme Long History',
    versions: Number(versions),
  });
  console.log(`[seed] ${appId} has ${head} versions`);
} catch (error) {
  console.error('[seed] failed:', error);
  process.exitCode = 1;
} finally {
  await Promise.all([closeMongo(), closeRedis()]);
}
