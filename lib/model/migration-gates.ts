import type { CacheStateDoc } from '@/lib/model/migration';

/**
 * Whether each operator step is open now, and if not, why: the page shows the reason beside the
 * button and the action refuses with the same words. Pure, so every gate is unit-tested.
 */

export const migrationSteps = ['plan', 'start', 'cutOver', 'rollBack', 'finish', 'cancel'] as const;
export type MigrationStep = (typeof migrationSteps)[number];

/** How a step reads in "Olga cut over at 12:42". */
export const stepLabels: Record<MigrationStep, string> = {
  plan: 'planned the migration',
  start: 'started the backfill and dual writes',
  cutOver: 'cut over',
  rollBack: 'rolled back',
  finish: 'finished the migration',
  cancel: 'cancelled the migration',
};

export type Gate = { open: true } | { open: false; reason: string };

export interface InstanceFact {
  instanceId: string;
  region: string;
  /** The deployment it reads from (null: a client that does not follow deployments). */
  deployment: string | null;
  /** Whether it can reach its region's endpoint in each deployment it knows. */
  reaches: Record<string, boolean> | null;
}

export interface GateFacts {
  now: Date;
  /** Reachability of every region of the migration's (or the chosen) target. */
  targetRegions: { region: string; reachable: boolean; reason?: string }[];
  /** Instances that reported recently. */
  instances: InstanceFact[];
}

const open: Gate = { open: true };
const closed = (reason: string): Gate => ({ open: false, reason });

/** A diff older than this does not count as "verified now". */
export const VERIFY_FRESH_MS = 15_000;

function list(names: string[], max = 5): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

/** The preflight: every target region answers, and every reporting instance reaches the target. */
export function preflight(target: string, facts: GateFacts): Gate {
  const down = facts.targetRegions.filter((r) => !r.reachable);
  if (facts.targetRegions.length === 0) return closed(`${target} has no region to check.`);
  if (down.length > 0)
    return closed(
      `${target} is not reachable in ${list(down.map((r) => `${r.region}${r.reason ? ` (${r.reason})` : ''}`))}.`,
    );
  const cannot = facts.instances.filter((i) => i.reaches?.[target] !== true);
  if (cannot.length > 0)
    return closed(
      `${cannot.length} instance${cannot.length === 1 ? '' : 's'} cannot reach ${target}: ${list(cannot.map((i) => `${i.instanceId} (${i.region})`))}.`,
    );
  return open;
}

export function gateFor(step: MigrationStep, state: CacheStateDoc, facts: GateFacts): Gate {
  const m = state.migration;
  switch (step) {
    case 'plan':
      return m ? closed(`A migration to ${m.target} is already under way.`) : open;
    case 'start':
      if (!m) return closed('Plan a migration first.');
      if (m.phase !== 'planned') return closed('Backfill and dual writes have already started.');
      return preflight(m.target, facts);
    case 'cutOver': {
      if (!m) return closed('No migration is under way.');
      if (m.phase === 'planned') return closed('Start the backfill first.');
      if (m.phase === 'cut-over') return closed(`Services already read from ${m.target}.`);
      if (!m.backfill.finishedAt)
        return closed(`The backfill has copied ${m.backfill.copied} of ${m.backfill.total} apps.`);
      const v = m.verify;
      if (v.regionsOutOfSync.length > 0)
        return closed(
          `Not in sync: ${list(v.regionsOutOfSync.map((r) => `${r.region} (${r.reason})`))}.`,
        );
      const found = v.counts.missing + v.counts.older + v.counts.mismatch;
      if (found > 0)
        return closed(
          `The last check found ${v.counts.missing} missing, ${v.counts.older} older and ${v.counts.mismatch} mismatched.`,
        );
      if (!v.lastRunAt || facts.now.getTime() - v.lastRunAt.getTime() > VERIFY_FRESH_MS)
        return closed('The verification is not running (is the worker up?).');
      if (!v.cleanSince) return closed('The verification has not come back clean yet.');
      const cleanFor = facts.now.getTime() - v.cleanSince.getTime();
      if (cleanFor < m.verifyWindowMs)
        return closed(
          `Clean for ${Math.floor(cleanFor / 1000)} s of the ${Math.round(m.verifyWindowMs / 1000)} s window.`,
        );
      return preflight(m.target, facts);
    }
    case 'rollBack':
      if (!m || m.phase !== 'cut-over')
        return closed('Nothing to roll back: no cut-over is in place.');
      return open;
    case 'finish': {
      if (!m || m.phase !== 'cut-over') return closed('Cut over first.');
      const behind = facts.instances.filter((i) => i.deployment !== m.target);
      if (behind.length > 0)
        return closed(
          `${behind.length} instance${behind.length === 1 ? '' : 's'} still read${behind.length === 1 ? 's' : ''} from another deployment: ${list(behind.map((i) => `${i.instanceId} (${i.region})`))}.`,
        );
      return open;
    }
    case 'cancel':
      if (!m) return closed('No migration is under way.');
      if (m.phase === 'cut-over') return closed('Roll back first: services read from the target.');
      return open;
  }
}
