import 'server-only';
import { recordedArrivalKeys } from '@/lib/db/arrivals';
import { readHeads, type HeadRecord } from '@/lib/db/heads';
import { arrivalOf, type ArrivalRecorder } from '@/lib/arrivals/recorder';
import { arrivalKey } from '@/lib/model/arrival';
import { readRegion } from '@/lib/propagation/read-stamps';
import type { Region } from '@/lib/regions';

export interface PollOutcome {
  heads: number;
  checked: number;
  recorded: number;
}

/**
 * Pub/sub is a fast path, never the only path: for the heads committed recently whose arrival
 * in some region is still unmeasured, read those regions' stamps (one pipeline per region) and
 * record what has arrived, marked 'poll' (arrivedAt is then an upper bound). Versions younger
 * than `graceMs` are left to the listener so a poll does not beat a message that is on its way.
 */
export async function pollArrivals({
  regions,
  recorder,
  now = Date.now(),
  windowMs = 15 * 60_000,
  graceMs = 1_000,
}: {
  regions: readonly Region[];
  recorder: ArrivalRecorder;
  now?: number;
  windowMs?: number;
  graceMs?: number;
}): Promise<PollOutcome> {
  const heads = (await readHeads({ createdAt: { $gte: new Date(now - windowMs) } })).filter(
    (h) => h.createdAt.getTime() <= now - graceMs,
  );
  if (heads.length === 0) return { heads: 0, checked: 0, recorded: 0 };
  const recorded = await recordedArrivalKeys(heads);
  const unmeasured = (region: Region) =>
    heads.filter(
      (h) =>
        !recorded.has(arrivalKey(h.appId, h.version, region.name)) &&
        !recorder.has(h.appId, h.version, region.name),
    );
  let checked = 0;
  let found = 0;
  await Promise.all(
    regions.map(async (region) => {
      const waiting: HeadRecord[] = unmeasured(region);
      if (waiting.length === 0) return;
      checked += waiting.length;
      const read = await readRegion(
        region,
        waiting.map((h) => h.appId),
      );
      if (!read.reachable) return;
      const arrivedAt = new Date();
      waiting.forEach((head, i) => {
        const stamp = read.stamps[i];
        if (stamp?.version === head.version && stamp.checksum === head.checksum) {
          recorder.record(
            arrivalOf(
              { appId: head.appId, version: head.version, committedAt: head.createdAt.getTime() },
              region.name,
              arrivedAt,
              'poll',
            ),
          );
          found += 1;
        }
      });
    }),
  );
  return { heads: heads.length, checked, recorded: found };
}
