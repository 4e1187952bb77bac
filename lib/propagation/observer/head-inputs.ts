import 'server-only';
import { arrivalsSince } from '@/lib/db/arrivals';
import type { ArrivalDoc } from '@/lib/db/collections';
import { listAppListings } from '@/lib/db/apps';
import { readAllHeads, readHeads, readVersionsTouchedSince, type HeadRecord } from '@/lib/db/heads';
import { headInfo } from '@/lib/propagation/app-status';
import type { Snapshot } from '@/lib/propagation/observer/snapshot';

/** How far back the incremental reconcile looks: clocks of other processes, batched writes. */
const RECONCILE_SLACK_MS = 15_000;

export const errorText = (error: unknown) =>
  error instanceof Error ? error.message : String(error);

/**
 * What MongoDB tells the observer: the apps (tenant, name), every app's head, and the arrivals
 * the worker measured. An incremental reconcile reads what was committed, pushed or measured
 * lately; a full one reads every app and head, and drops apps no longer listed.
 */
export class HeadInputs {
  private lastReconcileAt = 0;
  private lastFullReconcileAt = 0;
  private listingTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly snap: Snapshot,
    private readonly opts: { fullReconcileMs: number; log: (line: string) => void },
  ) {}

  stop(): void {
    this.stopped = true;
    if (this.listingTimer) clearTimeout(this.listingTimer);
  }

  /** Versions committed or pushed, and arrivals recorded, since the last reconcile (and slack). */
  async reconcile(): Promise<void> {
    const startedAt = Date.now();
    if (startedAt - this.lastFullReconcileAt >= this.opts.fullReconcileMs) {
      await this.fullReconcile();
      return;
    }
    const since = new Date(this.lastReconcileAt - RECONCILE_SLACK_MS);
    const [versions, arrivals] = await Promise.all([
      readVersionsTouchedSince(since),
      Promise.all(
        // The worker measures arrivals in the deployment services read from.
        this.snap.regions
          .filter((r) => r.deployment === this.snap.activeDeployment)
          .map((r) => arrivalsSince(r.name, since)),
      ),
    ]);
    const now = Date.now();
    for (const doc of versions) this.applyHead(doc, now);
    for (const list of arrivals) for (const a of list) this.applyArrival(a, now);
    await this.fetchListings();
    this.lastReconcileAt = startedAt;
  }

  /** Every app and every head; apps no longer listed are dropped. */
  async fullReconcile(): Promise<void> {
    const startedAt = Date.now();
    const [listings, heads] = await Promise.all([listAppListings({}), readAllHeads()]);
    const now = Date.now();
    const listed = new Set<string>();
    for (const listing of listings) {
      listed.add(listing.appId);
      const entry = this.snap.entryFor(listing.appId);
      this.snap.needListing.delete(listing.appId);
      if (entry.tenantId !== listing.tenantId || entry.name !== listing.name) {
        entry.tenantId = listing.tenantId;
        entry.name = listing.name;
        this.snap.reordered();
      }
    }
    const withHead = new Set<string>();
    for (const head of heads) {
      withHead.add(head.appId);
      this.applyHead(head, now);
    }
    for (const entry of this.snap.apps.values()) {
      // Created since the listing was read: keep; it is listed next time.
      if (!listed.has(entry.appId) && entry.changedAt < startedAt - this.opts.fullReconcileMs) {
        this.snap.remove(entry);
      } else if (listed.has(entry.appId) && !withHead.has(entry.appId) && !entry.headKnown) {
        entry.headKnown = true;
      }
    }
    this.lastFullReconcileAt = startedAt;
    this.lastReconcileAt = startedAt;
    this.snap.entries();
  }

  /** An app seen for the first time in a message or a head: its tenant and name, soon. */
  scheduleListing(): void {
    if (this.listingTimer || this.stopped) return;
    this.listingTimer = setTimeout(() => {
      this.listingTimer = null;
      this.fetchListings().catch((error: unknown) =>
        this.opts.log(`listing new apps failed: ${errorText(error)}`),
      );
    }, 0);
  }

  private async fetchListings(): Promise<void> {
    const { snap } = this;
    if (snap.needListing.size === 0) return;
    const ids = [...snap.needListing];
    snap.needListing.clear();
    const listings = await listAppListings({ appIds: ids }).catch((error: unknown) => {
      // The next reconcile asks again.
      for (const id of ids) snap.needListing.add(id);
      throw error;
    });
    for (const listing of listings) {
      const entry = snap.apps.get(listing.appId);
      if (!entry) continue;
      entry.tenantId = listing.tenantId;
      entry.name = listing.name;
      snap.reordered();
      snap.feed.listed(entry);
    }
    snap.feed.queueScopeFlush();
  }

  /** The heads of these apps, now (a region holds a version newer than the head known here). */
  async refreshHeads(appIds: string[]): Promise<void> {
    try {
      const heads = await readHeads({ appId: { $in: appIds } });
      const now = Date.now();
      for (const head of heads) this.applyHead(head, now);
    } catch (error) {
      this.opts.log(`head refresh failed: ${errorText(error)}`);
    }
  }

  /** A head (or any version) read from MongoDB: the head only ever moves forward here. */
  applyHead(doc: HeadRecord, now: number): void {
    const entry = this.snap.entryFor(doc.appId, doc.tenantId);
    const info = headInfo(doc);
    if (!info) return;
    const head = entry.head;
    let changed = !entry.headKnown;
    entry.headKnown = true;
    if (!head || info.version > head.version) {
      entry.head = info;
      changed = true;
    } else if (
      info.version === head.version &&
      ((info.pushedAt !== null && head.pushedAt !== info.pushedAt) ||
        head.divergedAt !== info.divergedAt)
    ) {
      head.pushedAt = info.pushedAt ?? head.pushedAt;
      head.divergedAt = info.pushedAt === null ? info.divergedAt : null;
      changed = true;
    }
    if (changed) this.snap.changed(entry, now);
  }

  applyArrival(arrival: ArrivalDoc, now: number): void {
    const { snap } = this;
    const entry = snap.apps.get(arrival.appId);
    const index = snap.regions.findIndex(
      (r) => r.name === arrival.region && r.deployment === snap.activeDeployment,
    );
    if (!entry || index < 0 || arrival.version < entry.arrivalsVersion) return;
    if (arrival.version > entry.arrivalsVersion || !entry.arrivals) {
      entry.arrivals = snap.regions.map(() => null);
      entry.arrivalsVersion = arrival.version;
    }
    const known = entry.arrivals[index];
    if (known && known.arrivedAt.getTime() === arrival.arrivedAt.getTime()) return;
    entry.arrivals[index] = {
      region: arrival.region,
      arrivedAt: arrival.arrivedAt,
      latencyMs: arrival.latencyMs,
      method: arrival.method,
    };
    if (arrival.version === entry.head?.version) snap.changed(entry, now);
  }
}
