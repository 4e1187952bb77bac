import type { Stamp } from '@/lib/contract/cache-layout';
import type { ConfigVersionDoc } from '@/lib/db/collections';
import type { HeadRecord } from '@/lib/db/heads';

/** What the worker loops decide, apart from the I/O, so it is unit-tested. */

/**
 * Of the due versions, only the newest of each app is worth pushing: the compare-and-set would
 * refuse the older ones once it lands, and marking it pushed marks them too. Apps keep the order
 * of their oldest due version, so the longest-waiting app goes first.
 */
export function newestPerApp(due: readonly ConfigVersionDoc[]): ConfigVersionDoc[] {
  const newest = new Map<string, ConfigVersionDoc>();
  for (const doc of due) {
    const seen = newest.get(doc.appId);
    if (!seen || doc.version > seen.version) newest.set(doc.appId, doc);
  }
  return [...newest.values()];
}

/** Heads the primary lacks or holds an older version of (a newer or equal one is not ours to fix). */
export function headsMissingFromPrimary(
  heads: readonly HeadRecord[],
  stamps: readonly (Stamp | null)[],
): HeadRecord[] {
  return heads.filter((head, i) => {
    const stamp = stamps[i];
    return !stamp || stamp.version < head.version;
  });
}
