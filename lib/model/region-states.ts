import type { Stamp } from '@/lib/contract/cache-layout';
import { duration } from '@/lib/format-time';

/** A region's part in replication: the primary takes writes, replicas follow it. */
export type RegionRole = 'primary' | 'replica';

/**
 * The state of one region for one app (docs/architecture.md, "States shown per region"). Pure, so the
 * table is tested case by case and the server, the worker and the tests all agree on it.
 */
export const regionStates = [
  'in_sync',
  'propagating',
  'lagging',
  'not_pushed',
  'diverged',
  'unreachable',
  'replication_down',
] as const;
export type RegionStateName = (typeof regionStates)[number];

/** The head in MongoDB as far as the state table needs it. */
export interface HeadStamp {
  version: number;
  checksum: string;
  /** When the version was committed to MongoDB (ms). */
  committedAt: number;
  /** When the primary took it (ms), if it has: replicas cannot be behind before that. */
  pushedAt: number | null;
}

export interface RegionStateInput {
  role: RegionRole;
  /** What the region holds for the app; null when the key is missing. */
  stamp: Stamp | null;
  /** MongoDB's head; null for an app without any configuration. */
  head: HeadStamp | null;
  now: number;
  lagBudgetMs: number;
  /** Whether the region answered the status read within its timeout. */
  reachable: boolean;
  /** Replicas: the replication link as the replica reports it; primary: null. */
  linkUp: boolean | null;
  /** When the region was first seen unreachable (ms), if known. */
  unreachableSince: number | null;
}

/**
 * Precedence, most telling first: a region that did not answer tells us nothing else; a stamp
 * MongoDB never wrote needs a person whatever else is true; a replica cut off from the primary
 * cannot receive the next version even if it holds the current one; then equal stamps are in sync;
 * behind is "not pushed" on the primary and "propagating"/"lagging" on a replica.
 */
export function regionState(input: RegionStateInput): RegionStateName {
  const { role, stamp, head, now, lagBudgetMs, reachable, linkUp } = input;
  if (!reachable) return 'unreachable';
  if (isDiverged(stamp, head)) return 'diverged';
  if (role === 'replica' && linkUp === false) return 'replication_down';
  if (isCurrent(stamp, head)) return 'in_sync';
  if (role === 'primary') return 'not_pushed';
  return now - behindSince(head) < lagBudgetMs ? 'propagating' : 'lagging';
}

/** Same version with another checksum, or a version MongoDB does not have yet. */
export function isDiverged(stamp: Stamp | null, head: HeadStamp | null): boolean {
  if (!stamp) return false;
  if (!head) return true;
  return (
    stamp.version > head.version ||
    (stamp.version === head.version && stamp.checksum !== head.checksum)
  );
}

/** The region holds exactly the head (an app without configuration is in sync with nothing). */
export function isCurrent(stamp: Stamp | null, head: HeadStamp | null): boolean {
  if (!head) return stamp === null;
  return stamp !== null && stamp.version === head.version && stamp.checksum === head.checksum;
}

/**
 * A replica can only be behind once the primary has the version: a head whose push was retried
 * for a minute is not "lagging" in a replica the moment it finally lands on the primary.
 */
export function behindSince(head: HeadStamp | null): number {
  if (!head) return 0;
  return Math.max(head.committedAt, head.pushedAt ?? head.committedAt);
}

export const stateLabels: Record<RegionStateName, string> = {
  in_sync: 'In sync',
  propagating: 'Propagating',
  lagging: 'Lagging',
  not_pushed: 'Not pushed',
  diverged: 'Diverged',
  unreachable: 'Unreachable',
  replication_down: 'Replication down',
};

/** How bad a state is, for sorting "worst first" (in sync last). */
export const stateSeverity: Record<RegionStateName, number> = {
  diverged: 6,
  unreachable: 5,
  replication_down: 4,
  not_pushed: 3,
  lagging: 2,
  propagating: 1,
  in_sync: 0,
};

export interface ExplainInput extends RegionStateInput {
  region: string;
  /** Replicas: how long the link has been down (ms), from INFO replication. */
  linkDownForMs: number | null;
  /** The region's timeout, to say what "did not answer" means. */
  timeoutMs: number;
}

function held(stamp: Stamp | null): string {
  return stamp ? `v${stamp.version}` : 'no copy of this app';
}

/** One or two sentences a customer understands: what is true, and what happens next. */
export function explainRegionState(state: RegionStateName, input: ExplainInput): string {
  const { region, stamp, head, now } = input;
  const headName = head ? `v${head.version}` : 'no configuration';
  switch (state) {
    case 'in_sync':
      return head
        ? `${region} serves ${headName}, the current version.`
        : `${region} has nothing to serve yet: this app has no configuration.`;
    case 'propagating':
      return `${region} still serves ${held(stamp)}; ${headName} is on its way (saved ${duration(now - (head?.committedAt ?? now))} ago).`;
    case 'lagging':
      return (
        `${region} still serves ${held(stamp)}: ${headName} has not arrived within the ${duration(input.lagBudgetMs)} budget ` +
        `(behind for ${duration(now - behindSince(head))}). Its link to the primary reports up, so replication is slow or stalled; ` +
        'it will catch up by itself once the link moves again.'
      );
    case 'not_pushed':
      return head?.pushedAt == null
        ? `${headName} is saved in MongoDB but not yet in the primary cache; the worker retries until it lands.`
        : `The primary cache holds ${held(stamp)} although ${headName} was pushed before (the cache was emptied or restarted); ` +
            'the worker re-pushes it from MongoDB.';
    case 'diverged':
      if (!stamp) return `${region} disagrees with MongoDB.`;
      return stamp.version === head?.version
        ? `${region} holds ${headName} with a different checksum than MongoDB: the cached body is not what was saved. Needs attention.`
        : `${region} holds v${stamp.version}, newer than MongoDB's head (${headName}): something other than Propagate wrote the cache. Needs attention.`;
    case 'unreachable': {
      const since = input.unreachableSince;
      return since != null
        ? `${region} has not answered for ${duration(Math.max(0, now - since))} (no reply within ${duration(input.timeoutMs)}); ` +
            'its services keep serving what they last read.'
        : `${region} did not answer within ${duration(input.timeoutMs)}; its services keep serving what they last read.`;
    }
    case 'replication_down': {
      const cutOff =
        input.linkDownForMs != null
          ? `${region} is cut off from the primary for ${duration(input.linkDownForMs)}`
          : `${region} is cut off from the primary`;
      const serving =
        head && isCurrent(stamp, head)
          ? `it still serves ${headName}, the current version`
          : `it serves ${held(stamp)} while the head is ${headName}`;
      return `${cutOff}; ${serving}, and will catch up by itself when the link returns.`;
    }
  }
}
