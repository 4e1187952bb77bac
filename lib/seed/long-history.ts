import 'server-only';
import { checksum } from '@/lib/contract/canonical-json';
import { createApp } from '@/lib/db/apps';
import type { Author, ConfigVersionDoc } from '@/lib/db/collections';
import { appendSeedVersions } from '@/lib/db/config-versions';
import { readHead } from '@/lib/db/heads';
import { pushVersion } from '@/lib/propagation/push-version';
import { defaultConfig } from '@/lib/schemas/config';

const AUTHORS: Author[] = [
  { userId: 'seed:ada', name: 'Ada Lindqvist', email: 'ada@acme.test' },
  { userId: 'seed:bo', name: 'Bo Okafor', email: 'bo@acme.test' },
  { userId: 'seed:chen', name: 'Chen Wei', email: 'chen@acme.test' },
];

const idleMinutes = (n: number) => 10 + (n % 50);

/** What version `n` of the long-history app says; every 500th is a review. */
export function longHistoryMessage(n: number): string {
  return n % 500 === 0
    ? `Quarterly review ${n / 500}`
    : `Set the idle timeout to ${idleMinutes(n)} minutes`;
}

const BATCH = 500;

/**
 * An app with thousands of versions, for trying and testing history at length. Each version
 * changes the session lifetime, so any two can be compared. Idempotent: versions that exist
 * are kept, missing ones are appended up to `versions`, and the head is pushed to the cache.
 */
export async function seedLongHistory(input: {
  appId: string;
  tenantId: string;
  name: string;
  versions: number;
}): Promise<{ head: number }> {
  const base = defaultConfig(input.name);
  const configFor = (n: number) => ({
    ...base,
    sessions: { ...base.sessions, idleTimeoutMinutes: idleMinutes(n) },
  });
  await createApp({
    id: input.appId,
    tenantId: input.tenantId,
    name: input.name,
    description: 'An app with a long history: thousands of small changes.',
    config: configFor(1),
    author: AUTHORS[0]!,
    message: longHistoryMessage(1),
  });
  let head = (await readHead(input.appId, { data: false }))?.version ?? 0;
  const start = Date.now() - input.versions * 60_000;
  while (head < input.versions) {
    const docs: ConfigVersionDoc[] = [];
    for (let n = head + 1; n <= Math.min(input.versions, head + BATCH); n++) {
      const data = configFor(n);
      docs.push({
        appId: input.appId,
        tenantId: input.tenantId,
        version: n,
        data,
        checksum: checksum(data),
        author: AUTHORS[n % AUTHORS.length]!,
        message: longHistoryMessage(n),
        createdAt: new Date(start + n * 60_000),
        pushedAt: new Date(),
        pushAttempts: 1,
        lastPushError: null,
        nextPushAt: null,
        rollbackOf: null,
      });
    }
    await appendSeedVersions(input.appId, docs);
    head = docs.at(-1)?.version ?? head;
  }
  const current = await readHead(input.appId);
  if (current) await pushVersion(current);
  return { head };
}
