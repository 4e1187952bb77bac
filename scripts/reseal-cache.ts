/**
 * `npm run cache:reseal`: after CACHE_SECRET_KEY_ID names a new key, rewrites every head's cache
 * entry with its secrets sealed under that key, in every deployment pushes go to, and says which
 * key ids the entries name afterwards (docs/security.md, "Rotating the key").
 */
import { resealAllHeads } from '@/lib/deployments/reseal';
import { closeMongo } from '@/lib/db/mongo';
import { cacheSealingKey } from '@/lib/propagation/cache-sealing';
import { closeRedis } from '@/lib/redis/clients';

let failed = false;
try {
  const key = cacheSealingKey();
  console.log(
    key
      ? `[reseal] sealing with key "${key.kid}"`
      : '[reseal] CACHE_SECRET_KEYS is not set: writing every secret in plain text',
  );
  for (const report of await resealAllHeads({ key })) {
    const kids = Object.entries(report.keyIds)
      .map(([kid, n]) => `${kid}: ${n}`)
      .join(', ');
    console.log(
      `[reseal] ${report.deployment}: ${report.resealed} of ${report.configs} entries rewritten; entries sealed per key id: ${kids || 'none'}`,
    );
    const stale = Object.keys(report.keyIds).filter((kid) => kid !== key?.kid);
    if (stale.length) {
      failed = true;
      console.warn(
        `[reseal] ${report.deployment} still has entries sealed with ${stale.join(', ')} (a head not pushed yet, or diverged): keep those keys and run again`,
      );
    }
  }
} catch (error) {
  failed = true;
  console.error('[reseal] failed:', error);
} finally {
  await Promise.allSettled([closeMongo(), closeRedis()]);
}
process.exit(failed ? 1 : 0);
