import 'server-only';
import { readVersionsTouchedSince } from '@/lib/db/heads';
import { readAppInstances } from '@/lib/instances/app-instances';
import { metrics } from '@/lib/metrics';

/**
 * Apps whose head moved within this window are checked. A service instance only falls behind
 * when its app's head moves, so one stuck for longer has been on the gauge (and alerting) for
 * the whole window before it leaves it.
 */
export const BEHIND_WINDOW_MS = 6 * 60 * 60_000;
/** A bound on one pass; the most recently changed apps come first. */
const MAX_APPS = 500;

export interface RegionBehind {
  count: number;
  maxSeconds: number;
}

/**
 * Per region, how many service instances report a version older than the head, and for how long
 * the longest has been behind, into the `propagate_instances_behind*` gauges (the worker's loop).
 */
export async function measureInstancesBehind(now = Date.now()): Promise<Map<string, RegionBehind>> {
  const touched = await readVersionsTouchedSince(new Date(now - BEHIND_WINDOW_MS));
  const recentFirst = touched.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  const appIds = [...new Set(recentFirst.map((v) => v.appId))].slice(0, MAX_APPS);
  const behind = new Map<string, RegionBehind>();
  for (const appId of appIds) {
    const view = await readAppInstances(appId);
    for (const region of view.regions) {
      const acc = behind.get(region.region) ?? { count: 0, maxSeconds: 0 };
      for (const row of region.instances) {
        if (row.state !== 'behind') continue;
        acc.count += 1;
        acc.maxSeconds = Math.max(acc.maxSeconds, (now - (row.behindSince ?? now)) / 1000);
      }
      behind.set(region.region, acc);
    }
  }
  const { instancesBehind, instancesBehindSeconds } = metrics();
  instancesBehind.reset();
  instancesBehindSeconds.reset();
  for (const [region, { count, maxSeconds }] of behind) {
    instancesBehind.set({ region }, count);
    instancesBehindSeconds.set({ region }, maxSeconds);
  }
  return behind;
}
