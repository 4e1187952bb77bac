import 'server-only';
import type { UpdateMessage } from '@/lib/contract/cache-layout';
import { compactStamp, sameStamp, type AppEntry } from '@/lib/propagation/observer/app-entry';
import type { Snapshot } from '@/lib/propagation/observer/snapshot';
import type { StampsRead } from '@/lib/propagation/read-stamps';

/**
 * What the regions tell the observer: update messages (a region holds a version from the moment
 * its message arrives) and pipelined reads (the scan), which catch whatever a message missed.
 */

/** Apps changed this recently are read in every scan, not only in their sweep slice. */
const HOT_MS = 10_000;

/** An update message from region `index`: that region holds this version from now on. */
export function applyMessage(snap: Snapshot, index: number, message: UpdateMessage): void {
  const now = Date.now();
  const entry = snap.entryFor(message.appId);
  const primary = snap.regions[index]?.role === 'primary';
  let changed = false;
  if (!entry.head || message.version > entry.head.version) {
    entry.head = {
      version: message.version,
      checksum: message.checksum,
      committedAt: message.committedAt,
      // Announced by the primary means pushed: MongoDB's own time follows with the reconcile.
      pushedAt: primary ? now : null,
      ...(message.archived ? { archived: true as const } : {}),
      divergedAt: null,
    };
    entry.headKnown = true;
    changed = true;
  }
  const current = entry.stamps[index];
  if (current == null || message.version > current.version) {
    entry.stamps[index] = compactStamp(
      {
        version: message.version,
        checksum: message.checksum,
        committedAt: message.committedAt,
        // The primary's exact time is in its hash; the next scan reads it (the app is hot).
        pushedAt: primary ? now : null,
      },
      entry.head,
    );
    entry.touchedAt ??= snap.regions.map(() => 0);
    entry.touchedAt[index] = now;
    changed = true;
  }
  if (primary && entry.head.version === message.version && entry.head.pushedAt === null) {
    entry.head.pushedAt = now;
    entry.head.divergedAt = null;
    changed = true;
  }
  if (changed) snap.changed(entry, now);
}

/**
 * The apps one scan reads: those behind, watched or recently changed, plus the next slice of
 * every app from `cursor`. Returns the ids and where the next slice starts.
 */
export function scanSelection(
  snap: Snapshot,
  cursor: number,
  sweepSize: number,
): { ids: string[]; cursor: number } {
  const now = Date.now();
  const all = snap.entries();
  const ids = new Set<string>();
  for (const entry of snap.behind) ids.add(entry.appId);
  for (const appId of snap.feed.watchedApps()) ids.add(appId);
  for (const entry of all) if (now - entry.changedAt < HOT_MS) ids.add(entry.appId);
  const sweep = Math.min(sweepSize, all.length);
  for (let i = 0; i < sweep; i += 1) {
    const entry = all[(cursor + i) % all.length];
    if (entry) ids.add(entry.appId);
  }
  return { ids: [...ids], cursor: all.length ? (cursor + sweep) % all.length : 0 };
}

/**
 * Applies a region read: probes, then every stamp not overtaken by a newer update message.
 * Returns the entries a region holds a newer version of than the head known here (another
 * process saved): their heads should be read now rather than call the region diverged until the
 * next reconcile.
 */
export function applyRead(
  snap: Snapshot,
  read: StampsRead,
  appIds: readonly string[],
  issuedAt: number,
): AppEntry[] {
  const now = Date.now();
  snap.tick += 1;
  let regionsChanged = false;
  read.regions.forEach(({ stamps: _stamps, ...probe }, i) => {
    const prev = snap.probes[i];
    if (
      !prev ||
      prev.reachable !== probe.reachable ||
      prev.linkUp !== probe.linkUp ||
      prev.unreachableSince !== probe.unreachableSince
    ) {
      regionsChanged = true;
    }
    snap.probes[i] = { ...probe, checkedAt: now };
  });
  const outrun: AppEntry[] = [];
  const changed = new Set<AppEntry>();
  read.regions.forEach((regionRead, r) => {
    if (!regionRead.reachable) return;
    const primary = regionRead.region.role === 'primary';
    appIds.forEach((appId, i) => {
      const entry = snap.apps.get(appId);
      if (!entry) return;
      const stamp = regionRead.stamps[i] ?? null;
      if ((entry.touchedAt?.[r] ?? 0) > issuedAt) return;
      if (sameStamp(entry.stamps[r], stamp, primary)) return;
      entry.stamps[r] = compactStamp(stamp, entry.head);
      if (stamp && (!entry.head || stamp.version > entry.head.version)) outrun.push(entry);
      changed.add(entry);
    });
  });
  if (regionsChanged) {
    snap.regionsRev += 1;
    for (const entry of snap.apps.values()) changed.add(entry);
  }
  snap.feed.regionsScanned();
  for (const entry of changed) snap.changed(entry, now);
  // Elapsed times move for apps that are behind: re-judge them (propagating turns lagging).
  for (const entry of snap.behind) {
    if (changed.has(entry)) continue;
    const before = entry.states.join();
    snap.judge(entry, now);
    if (entry.states.join() !== before) snap.changed(entry, now);
    else snap.feed.notify(entry, 'tick');
  }
  snap.feed.queueScopeFlush();
  return outrun;
}
