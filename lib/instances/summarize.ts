/**
 * Turns instance reports into what the app page shows per region: how many servers hold the
 * head, which are behind and since when, which stopped reporting. Pure: the reads live in
 * app-instances.ts, the rules here are table-tested.
 */
import type { ValidInstanceReport } from '@/lib/instances/report-schema';

/** An instance is "stopped reporting" after this many missed report periods. */
export const MISSED_REPORTS = 3;

export type InstanceState = 'current' | 'behind' | 'diverged' | 'stopped';

export interface InstanceRow {
  instanceId: string;
  state: InstanceState;
  version: number;
  appliedAt: number;
  reportedAt: number;
  /** What the instance itself says: how long it may have served outdated config. */
  stalenessMs: number;
  /** It holds the app's tombstone: it stopped serving the archived app and says so. */
  gone: boolean;
  /** When the first version it lacks was committed (behind only): "behind for N". */
  behindSince: number | null;
}

export interface RegionInstances {
  region: string;
  /** Instances reporting now (stopped ones excluded). */
  live: number;
  onHead: number;
  instances: InstanceRow[];
}

export interface HeadStamp {
  version: number;
  checksum: string;
  committedAt: number;
}

export interface SummaryInput {
  head: HeadStamp | null;
  reports: ValidInstanceReport[];
  /** Commit time of each version, for the versions right after the ones instances hold. */
  committedAt: ReadonlyMap<number, number>;
  /** Regions listed even without instances (the deployment's replica regions), in order. */
  regions: string[];
  now: number;
}

const ORDER: Record<InstanceState, number> = { behind: 0, diverged: 1, current: 2, stopped: 3 };

function stateOf(report: ValidInstanceReport, head: HeadStamp | null, now: number): InstanceState {
  if (now - report.reportedAt > MISSED_REPORTS * report.intervalMs) return 'stopped';
  if (!head) return 'diverged'; // a version in the cache that MongoDB does not know
  if (report.version > head.version) return 'diverged';
  if (report.version === head.version)
    return report.checksum === head.checksum ? 'current' : 'diverged';
  return 'behind';
}

/** The versions whose commit time says since when an instance on `version` has been behind. */
export function versionsNeeded(reports: ValidInstanceReport[], head: HeadStamp | null): number[] {
  if (!head) return [];
  return [...new Set(reports.filter((r) => r.version < head.version).map((r) => r.version + 1))];
}

export function summarizeInstances(input: SummaryInput): RegionInstances[] {
  const byRegion = new Map<string, InstanceRow[]>(input.regions.map((r) => [r, []]));
  for (const report of input.reports) {
    const state = stateOf(report, input.head, input.now);
    const behindSince =
      state === 'behind' && input.head
        ? (input.committedAt.get(report.version + 1) ?? input.head.committedAt)
        : null;
    const rows = byRegion.get(report.region) ?? [];
    rows.push({
      instanceId: report.instanceId,
      state,
      version: report.version,
      appliedAt: report.appliedAt,
      reportedAt: report.reportedAt,
      stalenessMs: report.stalenessMs,
      gone: report.archived === true,
      behindSince,
    });
    byRegion.set(report.region, rows);
  }
  return [...byRegion].map(([region, rows]) => {
    rows.sort(
      (a, b) => ORDER[a.state] - ORDER[b.state] || a.instanceId.localeCompare(b.instanceId),
    );
    return {
      region,
      live: rows.filter((r) => r.state !== 'stopped').length,
      onHead: rows.filter((r) => r.state === 'current').length,
      instances: rows,
    };
  });
}
