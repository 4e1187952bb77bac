import { closeMongo } from '@/lib/db/mongo';
import { closeRedis } from '@/lib/redis/clients';

/**
 * For a suite's afterAll: closes the process's Redis pools (with `subscribers`, the pub/sub
 * connections too) and its MongoDB client, so the worker exits without open handles.
 */
export async function closeStores(options: { subscribers?: boolean } = {}): Promise<void> {
  await closeRedis(options);
  await closeMongo();
}
