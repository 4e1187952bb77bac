/**
 * The state of the cache deployments and of a migration between two of them, and the rules that
 * follow from it. Pure: lib/db/cache-state.ts stores it, the worker and the operator page read it.
 *
 * A migration moves services from `source` to `target`:
 *   planned  → target chosen; nothing written to it yet
 *   syncing  → every push also goes to the target (dual writes); the worker backfills every head
 *              into it and diffs the two continuously (verify)
 *   cut-over → `active` is the target; dual writes continue so a rollback loses nothing
 * Rolling back returns to `syncing` with the source active; finishing drops the source.
 */

export const migrationPhases = ['planned', 'syncing', 'cut-over'] as const;
export type MigrationPhase = (typeof migrationPhases)[number];

export interface StepActor {
  id: string;
  name: string;
}

export interface BackfillProgress {
  /** Apps with a head when the pass started (the progress bar's denominator). */
  total: number;
  copied: number;
  /** The last appId copied: a pass resumes after it (apps are copied in appId order). */
  cursor: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  lastError: string | null;
}

export interface VerifyCounts {
  missing: number;
  older: number;
  mismatch: number;
}

export interface VerifyPoint extends VerifyCounts {
  at: Date;
}

export interface VerifyState {
  /** The last diff: when, what it found, which apps and regions it was about. */
  lastRunAt: Date | null;
  counts: VerifyCounts;
  offending: { appId: string; region: string; problem: keyof VerifyCounts }[];
  /** Target regions that did not answer or whose link to their primary is down. */
  regionsOutOfSync: { region: string; reason: string }[];
  /** Since when every diff found nothing; null while something is off. */
  cleanSince: Date | null;
  /** The counts over time for the chart (bounded). */
  history: VerifyPoint[];
}

export interface MigrationDoc {
  id: string;
  source: string;
  target: string;
  phase: MigrationPhase;
  plannedAt: Date;
  plannedBy: StepActor;
  backfill: BackfillProgress;
  verify: VerifyState;
  cutOverAt: Date | null;
  rolledBackAt: Date | null;
  /** How long the diff must stay clean before cut-over opens. */
  verifyWindowMs: number;
}

export interface CacheStateDoc {
  _id: 'cache';
  /** The deployment services read from. */
  active: string;
  /** Bumped at every switch of `active` and at a finish (the marker in every primary carries it). */
  epoch: number;
  /** Bumped by every change: operators' steps are compare-and-set on it. */
  revision: number;
  migration: MigrationDoc | null;
  /** The last step taken, so an operator who lost a race is told what happened. */
  lastStep: { action: string; by: StepActor; at: Date } | null;
}

export const VERIFY_HISTORY_POINTS = 120;

export function initialCacheState(active: string): CacheStateDoc {
  return { _id: 'cache', active, epoch: 0, revision: 0, migration: null, lastStep: null };
}

/**
 * Every deployment a push must reach: the active one, and during a migration past planning the
 * other side as well (the target before cut-over, the source after it, so a rollback is exact).
 */
export function writeTargets(state: Pick<CacheStateDoc, 'active' | 'migration'>): string[] {
  const m = state.migration;
  if (!m || m.phase === 'planned') return [state.active];
  const other = state.active === m.source ? m.target : m.source;
  return [state.active, other];
}

/** The deployments whose status is shown and whose marker is kept: those pushes reach. */
export const liveDeployments = writeTargets;

export function emptyVerify(): VerifyState {
  return {
    lastRunAt: null,
    counts: { missing: 0, older: 0, mismatch: 0 },
    offending: [],
    regionsOutOfSync: [],
    cleanSince: null,
    history: [],
  };
}

export function emptyBackfill(): BackfillProgress {
  return { total: 0, copied: 0, cursor: null, startedAt: null, finishedAt: null, lastError: null };
}

/** Adds one diff's result: the window restarts at anything found or any region out of sync. */
export function recordVerify(
  prev: VerifyState,
  run: {
    at: Date;
    counts: VerifyCounts;
    offending: VerifyState['offending'];
    regionsOutOfSync: VerifyState['regionsOutOfSync'];
  },
): VerifyState {
  const clean =
    run.counts.missing + run.counts.older + run.counts.mismatch === 0 &&
    run.regionsOutOfSync.length === 0;
  return {
    lastRunAt: run.at,
    counts: run.counts,
    offending: run.offending.slice(0, 50),
    regionsOutOfSync: run.regionsOutOfSync,
    cleanSince: clean ? (prev.cleanSince ?? run.at) : null,
    history: [...prev.history, { at: run.at, ...run.counts }].slice(-VERIFY_HISTORY_POINTS),
  };
}

/** What one region of the target holds for each head, classified. */
export function diffRegion({
  region,
  heads,
  stamps,
  now,
  graceMs,
}: {
  region: string;
  heads: readonly { appId: string; version: number; checksum: string; createdAt: Date }[];
  /** Aligned with heads; null when the key is missing. */
  stamps: readonly ({ version: number; checksum: string } | null)[];
  now: number;
  /** A head committed this recently may still be on its way: not counted yet. */
  graceMs: number;
}): VerifyState['offending'] {
  const out: VerifyState['offending'] = [];
  heads.forEach((head, i) => {
    const stamp = stamps[i] ?? null;
    const young = now - head.createdAt.getTime() < graceMs;
    if (!stamp) {
      if (!young) out.push({ appId: head.appId, region, problem: 'missing' });
    } else if (
      stamp.version > head.version ||
      (stamp.version === head.version && stamp.checksum !== head.checksum)
    ) {
      out.push({ appId: head.appId, region, problem: 'mismatch' });
    } else if (stamp.version < head.version && !young) {
      out.push({ appId: head.appId, region, problem: 'older' });
    }
  });
  return out;
}

export function countProblems(offending: VerifyState['offending']): VerifyCounts {
  const counts: VerifyCounts = { missing: 0, older: 0, mismatch: 0 };
  for (const o of offending) counts[o.problem] += 1;
  return counts;
}
