/** Apps for benchmarks, bulk-inserted into MongoDB: the app record and a pushed version 1. */
import type { collections } from '../lib/db/collections';
import { checksum } from '../lib/contract/canonical-json';
import { defaultConfig } from '../lib/schemas/config';

const author = { userId: 'bench', name: 'Benchmark', email: 'bench@propagate.test' };

export async function insertBenchApps(
  c: Awaited<ReturnType<typeof collections>>,
  { tenantId, ids, description }: { tenantId: string; ids: string[]; description: string },
) {
  const now = new Date();
  const docs = ids.map((id) => {
    const data = defaultConfig(id);
    return { id, data, sum: checksum(data) };
  });
  await c.apps.insertMany(
    docs.map((d) => ({
      _id: d.id,
      tenantId,
      name: d.id,
      description,
      createdAt: now,
      headVersion: 1,
      updatedAt: now,
      archivedAt: null,
    })),
  );
  await c.configVersions.insertMany(
    docs.map((d) => ({
      appId: d.id,
      tenantId,
      version: 1,
      data: d.data,
      checksum: d.sum,
      author,
      message: 'bench',
      createdAt: now,
      pushedAt: now,
      pushAttempts: 1,
      lastPushError: null,
      nextPushAt: null,
      rollbackOf: null,
    })),
  );
  return { docs, at: now };
}
