import type { Stamp } from '@/lib/contract/cache-layout';
import type { ArrivalDoc } from '@/lib/db/collections';
import type { HeadInfo, RegionProbe } from '@/lib/propagation/app-status';
import type { RegionStateName } from '@/lib/model/region-states';

export type ArrivalLite = Pick<ArrivalDoc, 'region' | 'arrivedAt' | 'latencyMs' | 'method'>;

/**
 * What the observer knows of one app. Arrays are indexed like the observer's regions (primary
 * first). Kept small on purpose: 100 000 of these must fit well inside the memory budget, so
 * optional parts are allocated only when used and a region's checksum shares the head's string.
 */
export interface AppEntry {
  readonly appId: string;
  /** From the apps collection; null until listed (an app first seen in an update message). */
  tenantId: string | null;
  name: string | null;
  head: HeadInfo | null;
  /** The head was read from MongoDB (or announced by a push) at least once. */
  headKnown: boolean;
  /** undefined: not read from that region yet; null: the region has no copy. */
  stamps: (Stamp | null | undefined)[];
  /** When an update message last set a stamp, per region: an older scan must not undo it. */
  touchedAt: number[] | null;
  /** Measured arrivals of the head version (recorded by the worker), per region. */
  arrivals: (ArrivalLite | null)[] | null;
  arrivalsVersion: number;
  /** This app's arrivals were read from MongoDB once; later ones come with the reconcile. */
  arrivalsLoaded: boolean;
  /** The states last judged, per region; empty until judged. */
  states: RegionStateName[];
  /** Bumped on every change a watcher can see. */
  rev: number;
  changedAt: number;
}

export function newEntry(appId: string, regionCount: number): AppEntry {
  return {
    appId,
    tenantId: null,
    name: null,
    head: null,
    headKnown: false,
    stamps: new Array<undefined>(regionCount).fill(undefined),
    touchedAt: null,
    arrivals: null,
    arrivalsVersion: 0,
    arrivalsLoaded: false,
    states: [],
    rev: 0,
    changedAt: 0,
  };
}

/** Equal for watchers: version and checksum, and on the primary the time it took the version. */
export function sameStamp(a: Stamp | null | undefined, b: Stamp | null, primary: boolean): boolean {
  if (a == null || b == null) return a === b;
  return (
    a.version === b.version && a.checksum === b.checksum && (!primary || a.pushedAt === b.pushedAt)
  );
}

/** The stamp as stored: a checksum equal to the head's shares its string (memory at 100 000 apps). */
export function compactStamp(stamp: Stamp | null, head: HeadInfo | null): Stamp | null {
  if (stamp && head && stamp.checksum === head.checksum) stamp.checksum = head.checksum;
  return stamp;
}

/** Every region answered for this app and its head is known: a status needs no I/O. */
export function isComplete(entry: AppEntry, probes: readonly (RegionProbe | null)[]): boolean {
  return (
    entry.headKnown &&
    entry.arrivalsLoaded &&
    probes.every((p) => p !== null) &&
    entry.stamps.every((s, i) => s !== undefined || probes[i]?.reachable === false)
  );
}
