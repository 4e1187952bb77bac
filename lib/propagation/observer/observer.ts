import 'server-only';
import type { Redis } from 'ioredis';
import {
  parseUpdateMessage,
  UPDATES_CHANNEL,
  type UpdateMessage,
} from '@/lib/contract/cache-layout';
import { arrivalsSince, latestArrivals } from '@/lib/db/arrivals';
import type { ArrivalDoc } from '@/lib/db/collections';
import { listAppListings } from '@/lib/db/apps';
import { readHead, readHeads, readVersionsTouchedSince, type HeadRecord } from '@/lib/db/heads';
import {
  buildAppStatus,
  cellState,
  headInfo,
  headStamp,
  type AppPropagationStatus,
  type RegionProbe,
} from '@/lib/propagation/app-status';
import {
  compactStamp,
  isComplete,
  newEntry,
  sameStamp,
  type AppEntry,
} from '@/lib/propagation/observer/app-entry';
import { readAllRegions, type StampsRead } from '@/lib/propagation/read-stamps';
import { closeSubscriber, openSubscriber } from '@/lib/redis/clients';
import { listRegions, type Region } from '@/lib/regions';

export interface ObserverOptions {
  regions?: readonly Region[];
  /** Region scan: apps behind or recently changed, plus the next slice of every app. */
  scanMs?: number;
  /** Incremental MongoDB reconcile: versions committed or pushed, arrivals recorded. */
  reconcileMs?: number;
  /** Full MongoDB reconcile: every app and head (catches deletions and anything missed). */
  fullReconcileMs?: number;
  /** Apps read per region per scan besides the hot ones; the whole fleet every n/sweep scans. */
  sweepSize?: number;
  log?: (line: string) => void;
}

/** 'change': something a watcher sees changed; 'tick': only elapsed times moved (app behind). */
export type AppListener = (entry: AppEntry, why: 'change' | 'tick') => void;
/** Apps whose state changed since the last call, and whether region health changed. */
export type ScopeListener = (change: { apps: readonly AppEntry[]; regions: boolean }) => void;

export interface TimedProbe extends RegionProbe {
  checkedAt: number;
}

/** How far back the incremental reconcile looks: clocks of other processes, batched writes. */
const RECONCILE_SLACK_MS = 15_000;
/** Apps changed this recently are read in every scan, not only in their sweep slice. */
const HOT_MS = 10_000;
/** Scope listeners hear at most this often (a fleet page refetches at most this often). */
const SCOPE_FLUSH_MS = 250;
const STATUS_CACHE_SIZE = 1_000;

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The status observer (docs/architecture.md): one per server process, a snapshot of every app's
 * head and of what every region serves for it, so a status answer costs no I/O however many
 * people ask. Inputs: the update channel on every region (a message arrives right behind the data
 * it announces), a periodic pipelined scan per region (lost messages, restarts, a flushed
 * primary, unreachable regions), and a periodic reconcile against MongoDB (saves made by other
 * processes whose push failed, pushes, measured arrivals). Derived state only: rebuilt at start.
 */
export class StatusObserver {
  readonly regions: readonly Region[];
  private readonly opts: Required<Omit<ObserverOptions, 'regions'>>;
  private readonly apps = new Map<string, AppEntry>();
  /** Every entry, ordered by tenant then name (the fleet's order for apps in sync). */
  private order: AppEntry[] = [];
  private orderDirty = false;
  private readonly behind = new Set<AppEntry>();
  private probes: (TimedProbe | null)[];
  private sweepCursor = 0;
  private tick = 0;
  private regionsRev = 0;
  private lastReconcileAt = 0;
  private lastFullReconcileAt = 0;
  private readonly needListing = new Set<string>();
  private readonly coldLoads = new Map<string, Promise<AppEntry>>();
  private readonly appListeners = new Map<string, Set<AppListener>>();
  private readonly scopeListeners = new Set<ScopeListener>();
  private readonly dirty = new Set<AppEntry>();
  private readonly scopeDirty = new Set<AppEntry>();
  private scopeRegionsDirty = false;
  private flushQueued = false;
  private scopeTimer: NodeJS.Timeout | null = null;
  private listingTimer: NodeJS.Timeout | null = null;
  private readonly statusCache = new Map<string, { key: string; status: AppPropagationStatus }>();
  private subscribers: Redis[] = [];
  private timers: NodeJS.Timeout[] = [];
  private readonly running = new Set<Promise<unknown>>();
  private stopped = false;
  private readonly readyPromise: Promise<void>;
  private resolveReady!: () => void;
  private started = false;

  constructor(options: ObserverOptions = {}) {
    this.regions = options.regions ?? listRegions();
    this.opts = {
      scanMs: options.scanMs ?? 1_000,
      reconcileMs: options.reconcileMs ?? 1_000,
      fullReconcileMs: options.fullReconcileMs ?? 30_000,
      sweepSize: options.sweepSize ?? 5_000,
      log: options.log ?? ((line) => console.log(`[observer] ${line}`)),
    };
    this.probes = this.regions.map(() => null);
    this.readyPromise = new Promise((resolve) => (this.resolveReady = resolve));
  }

  /** Subscribes, loads every app and head, reads every region once, then keeps it all current. */
  start(): this {
    if (this.started) return this;
    this.started = true;
    this.subscribers = this.regions.map((region, index) => {
      const client = openSubscriber(region, 'observer');
      client.on('error', () => {});
      client.on('message', (channel: string, raw: string) => {
        if (channel !== UPDATES_CHANNEL) return;
        const message = parseUpdateMessage(raw);
        if (message) this.onMessage(index, message);
      });
      client.subscribe(UPDATES_CHANNEL).catch(() => {});
      return client;
    });
    void this.initialLoad();
    return this;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    if (this.scopeTimer) clearTimeout(this.scopeTimer);
    if (this.listingTimer) clearTimeout(this.listingTimer);
    this.appListeners.clear();
    this.scopeListeners.clear();
    await Promise.allSettled([...this.running, ...this.coldLoads.values()]);
    await Promise.all(this.subscribers.map(closeSubscriber));
    this.subscribers = [];
  }

  /** Resolves once every app has been loaded and every region read at least once. */
  ready(): Promise<void> {
    return this.readyPromise;
  }

  // ---- reads -------------------------------------------------------------------------------

  /** An app's entry, complete: read from MongoDB and every region first if it is not yet. */
  async appEntry(appId: string): Promise<AppEntry> {
    const entry = this.apps.get(appId);
    if (entry && isComplete(entry, this.probes)) return entry;
    let load = this.coldLoads.get(appId);
    if (!load) {
      load = this.coldLoad(appId).finally(() => this.coldLoads.delete(appId));
      this.coldLoads.set(appId, load);
    }
    return load;
  }

  /** The app's status from the snapshot; the same object for every caller until it changes. */
  statusOf(entry: AppEntry, now = Date.now()): AppPropagationStatus {
    const key = `${entry.rev}:${this.behind.has(entry) ? `t${this.tick}` : `r${this.regionsRev}`}`;
    const cached = this.statusCache.get(entry.appId);
    if (cached?.key === key) return cached.status;
    const status = buildAppStatus(
      entry.appId,
      entry.head,
      this.regions.map((region, i) => ({
        ...(this.probes[i] ?? unknownProbe(region)),
        stamp: entry.stamps[i] ?? null,
      })),
      entry.arrivals && entry.arrivalsVersion === entry.head?.version
        ? entry.arrivals.filter((a) => a !== null)
        : [],
      now,
    );
    this.statusCache.delete(entry.appId);
    this.statusCache.set(entry.appId, { key, status });
    if (this.statusCache.size > STATUS_CACHE_SIZE) {
      const oldest = this.statusCache.keys().next().value;
      if (oldest !== undefined) this.statusCache.delete(oldest);
    }
    return status;
  }

  /** Every region reachable and holding `version` or newer. */
  converged(entry: AppEntry, version: number): boolean {
    return this.regions.every(
      (_, i) => this.probes[i]?.reachable === true && (entry.stamps[i]?.version ?? 0) >= version,
    );
  }

  /** Every entry in fleet order (tenant, name); callers must not keep or change them. */
  entries(): readonly AppEntry[] {
    if (this.orderDirty) {
      this.order = [...this.apps.values()].sort(compareListing);
      this.orderDirty = false;
    }
    return this.order;
  }

  regionProbes(): readonly (TimedProbe | null)[] {
    return this.probes;
  }

  /** Measurements for tests and the benchmark. */
  stats() {
    let listeners = 0;
    for (const set of this.appListeners.values()) listeners += set.size;
    return {
      apps: this.apps.size,
      behind: this.behind.size,
      appListeners: listeners,
      watchedApps: this.appListeners.size,
      scopeListeners: this.scopeListeners.size,
      cachedStatuses: this.statusCache.size,
      subscribed: this.subscribers.filter((s) => s.status === 'ready').length,
    };
  }

  // ---- listeners ---------------------------------------------------------------------------

  watchApp(appId: string, listener: AppListener): () => void {
    let set = this.appListeners.get(appId);
    if (!set) this.appListeners.set(appId, (set = new Set()));
    set.add(listener);
    return () => {
      const current = this.appListeners.get(appId);
      current?.delete(listener);
      if (current?.size === 0) this.appListeners.delete(appId);
    };
  }

  watchScope(listener: ScopeListener): () => void {
    this.scopeListeners.add(listener);
    return () => this.scopeListeners.delete(listener);
  }

  // ---- inputs ------------------------------------------------------------------------------

  /** An update message from region `index`: that region holds this version from now on. */
  private onMessage(index: number, message: UpdateMessage): void {
    const now = Date.now();
    const entry = this.entryFor(message.appId);
    const primary = this.regions[index]?.role === 'primary';
    let changed = false;
    if (!entry.head || message.version > entry.head.version) {
      entry.head = {
        version: message.version,
        checksum: message.checksum,
        committedAt: message.committedAt,
        // Announced by the primary means pushed: MongoDB's own time follows with the reconcile.
        pushedAt: primary ? now : null,
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
      entry.touchedAt ??= this.regions.map(() => 0);
      entry.touchedAt[index] = now;
      changed = true;
    }
    if (primary && entry.head.version === message.version && entry.head.pushedAt === null) {
      entry.head.pushedAt = now;
      changed = true;
    }
    if (changed) this.changed(entry, now);
  }

  private async initialLoad(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt += 1) {
      try {
        await this.fullReconcile();
        // Every app once, slice by slice, before the first answer that needs them all.
        const all = this.entries();
        let offset = 0;
        do {
          const ids = all.slice(offset, offset + this.opts.sweepSize).map((e) => e.appId);
          const issuedAt = Date.now();
          this.applyRead(await readAllRegions(ids, { regions: this.regions }), ids, issuedAt);
          offset += this.opts.sweepSize;
        } while (offset < all.length);
        break;
      } catch (error) {
        if (attempt === 0) this.opts.log(`initial load failed (${errorText(error)}); retrying`);
        await new Promise((resolve) => setTimeout(resolve, 1_000).unref());
      }
    }
    if (this.stopped) return;
    this.resolveReady();
    this.every(this.opts.scanMs, () => this.scan());
    this.every(this.opts.reconcileMs, () => this.reconcile());
  }

  /** A loop that never overlaps itself, does not keep the process alive, and survives errors. */
  private every(ms: number, work: () => Promise<void>): void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy || this.stopped) return;
      busy = true;
      const run = work()
        .catch((error: unknown) => this.opts.log(errorText(error)))
        .finally(() => {
          busy = false;
          this.running.delete(run);
        });
      this.running.add(run);
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }

  /** A region scan: the hot apps and the next sweep slice, one pipeline per region. */
  private async scan(): Promise<void> {
    const now = Date.now();
    const all = this.entries();
    const ids = new Set<string>();
    for (const entry of this.behind) ids.add(entry.appId);
    for (const [appId] of this.appListeners) ids.add(appId);
    for (const entry of all) if (now - entry.changedAt < HOT_MS) ids.add(entry.appId);
    const sweep = Math.min(this.opts.sweepSize, all.length);
    for (let i = 0; i < sweep; i += 1) {
      const entry = all[(this.sweepCursor + i) % all.length];
      if (entry) ids.add(entry.appId);
    }
    this.sweepCursor = all.length ? (this.sweepCursor + sweep) % all.length : 0;
    const list = [...ids];
    const issuedAt = Date.now();
    this.applyRead(await readAllRegions(list, { regions: this.regions }), list, issuedAt);
  }

  /** Applies a region read: probes, then every stamp not overtaken by a newer update message. */
  private applyRead(read: StampsRead, appIds: readonly string[], issuedAt: number): void {
    const now = Date.now();
    this.tick += 1;
    let regionsChanged = false;
    read.regions.forEach(({ stamps: _stamps, ...probe }, i) => {
      const prev = this.probes[i];
      if (
        !prev ||
        prev.reachable !== probe.reachable ||
        prev.linkUp !== probe.linkUp ||
        prev.unreachableSince !== probe.unreachableSince
      ) {
        regionsChanged = true;
      }
      this.probes[i] = { ...probe, checkedAt: now };
    });
    const outrun: AppEntry[] = [];
    const changed = new Set<AppEntry>();
    read.regions.forEach((regionRead, r) => {
      if (!regionRead.reachable) return;
      const primary = regionRead.region.role === 'primary';
      appIds.forEach((appId, i) => {
        const entry = this.apps.get(appId);
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
      this.regionsRev += 1;
      for (const entry of this.apps.values()) changed.add(entry);
    }
    this.scopeRegionsDirty = true;
    for (const entry of changed) this.changed(entry, now);
    // Elapsed times move for apps that are behind: re-judge them (propagating turns lagging).
    for (const entry of this.behind) {
      if (changed.has(entry)) continue;
      const before = entry.states.join();
      this.judge(entry, now);
      if (entry.states.join() !== before) this.changed(entry, now);
      else this.notify(entry, 'tick');
    }
    this.queueScopeFlush();
    // A region newer than the head known here: another process saved; read the head now
    // instead of calling the region diverged until the next reconcile.
    if (outrun.length > 0) void this.refreshHeads(outrun.map((e) => e.appId));
  }

  private async refreshHeads(appIds: string[]): Promise<void> {
    try {
      const heads = await readHeads({ appId: { $in: appIds } });
      const now = Date.now();
      for (const head of heads) this.applyHead(head, now);
    } catch (error) {
      this.opts.log(`head refresh failed: ${errorText(error)}`);
    }
  }

  /** Versions committed or pushed, and arrivals recorded, since the last reconcile (and slack). */
  private async reconcile(): Promise<void> {
    const startedAt = Date.now();
    if (startedAt - this.lastFullReconcileAt >= this.opts.fullReconcileMs) {
      await this.fullReconcile();
      return;
    }
    const since = new Date(this.lastReconcileAt - RECONCILE_SLACK_MS);
    const [versions, arrivals] = await Promise.all([
      readVersionsTouchedSince(since),
      Promise.all(this.regions.map((r) => arrivalsSince(r.name, since))),
    ]);
    const now = Date.now();
    for (const doc of versions) this.applyHead(doc, now);
    for (const list of arrivals) for (const a of list) this.applyArrival(a, now);
    await this.fetchListings();
    this.lastReconcileAt = startedAt;
  }

  /** Every app and every head; apps no longer listed are dropped. */
  private async fullReconcile(): Promise<void> {
    const startedAt = Date.now();
    const [listings, heads] = await Promise.all([listAppListings({}), readHeads()]);
    const now = Date.now();
    const listed = new Set<string>();
    for (const listing of listings) {
      listed.add(listing.appId);
      const entry = this.entryFor(listing.appId);
      this.needListing.delete(listing.appId);
      if (entry.tenantId !== listing.tenantId || entry.name !== listing.name) {
        entry.tenantId = listing.tenantId;
        entry.name = listing.name;
        this.orderDirty = true;
      }
    }
    const withHead = new Set<string>();
    for (const head of heads) {
      withHead.add(head.appId);
      this.applyHead(head, now);
    }
    for (const entry of this.apps.values()) {
      // Created since the listing was read: keep; it is listed next time.
      if (!listed.has(entry.appId) && entry.changedAt < startedAt - this.opts.fullReconcileMs) {
        this.apps.delete(entry.appId);
        this.behind.delete(entry);
        this.statusCache.delete(entry.appId);
        this.orderDirty = true;
      } else if (listed.has(entry.appId) && !withHead.has(entry.appId) && !entry.headKnown) {
        entry.headKnown = true;
      }
    }
    this.lastFullReconcileAt = startedAt;
    this.lastReconcileAt = startedAt;
    this.entries();
  }

  /** An app seen for the first time in a message or a head: its tenant and name, soon. */
  private scheduleListing(): void {
    if (this.listingTimer || this.stopped) return;
    this.listingTimer = setTimeout(() => {
      this.listingTimer = null;
      this.fetchListings().catch((error: unknown) =>
        this.opts.log(`listing new apps failed: ${errorText(error)}`),
      );
    }, 0);
  }

  private async fetchListings(): Promise<void> {
    if (this.needListing.size === 0) return;
    const ids = [...this.needListing];
    this.needListing.clear();
    const listings = await listAppListings({ appIds: ids }).catch((error: unknown) => {
      // The next reconcile asks again.
      for (const id of ids) this.needListing.add(id);
      throw error;
    });
    for (const listing of listings) {
      const entry = this.apps.get(listing.appId);
      if (!entry) continue;
      entry.tenantId = listing.tenantId;
      entry.name = listing.name;
      this.orderDirty = true;
      this.scopeDirty.add(entry);
    }
    this.queueScopeFlush();
  }

  /** A head (or any version) read from MongoDB: the head only ever moves forward here. */
  private applyHead(doc: HeadRecord, now: number): void {
    const entry = this.entryFor(doc.appId, doc.tenantId);
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
      info.pushedAt !== null &&
      head.pushedAt !== info.pushedAt
    ) {
      head.pushedAt = info.pushedAt;
      changed = true;
    }
    if (changed) this.changed(entry, now);
  }

  private applyArrival(arrival: ArrivalDoc, now: number): void {
    const entry = this.apps.get(arrival.appId);
    const index = this.regions.findIndex((r) => r.name === arrival.region);
    if (!entry || index < 0 || arrival.version < entry.arrivalsVersion) return;
    if (arrival.version > entry.arrivalsVersion || !entry.arrivals) {
      entry.arrivals = this.regions.map(() => null);
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
    if (arrival.version === entry.head?.version) this.changed(entry, now);
  }

  /** One app read like a small scan: its head and arrivals from MongoDB, every region's stamp. */
  private async coldLoad(appId: string): Promise<AppEntry> {
    const issuedAt = Date.now();
    const [head, arrivals, read] = await Promise.all([
      readHead(appId, { data: false }),
      latestArrivals(appId, this.regions.length),
      readAllRegions([appId], { regions: this.regions }),
    ]);
    const now = Date.now();
    const entry = this.entryFor(appId, head?.tenantId);
    if (head) this.applyHead(head, now);
    entry.headKnown = true;
    this.applyRead(read, [appId], issuedAt);
    for (const arrival of arrivals) this.applyArrival(arrival, now);
    entry.arrivalsLoaded = true;
    this.judge(entry, Date.now());
    return entry;
  }

  // ---- bookkeeping -------------------------------------------------------------------------

  private entryFor(appId: string, tenantId?: string | null): AppEntry {
    let entry = this.apps.get(appId);
    if (!entry) {
      entry = newEntry(appId, this.regions.length);
      entry.tenantId = tenantId ?? null;
      this.apps.set(appId, entry);
      this.orderDirty = true;
      this.needListing.add(appId);
      this.scheduleListing();
    }
    return entry;
  }

  private judge(entry: AppEntry, now: number): void {
    const primaryIndex = this.regions.findIndex((r) => r.role === 'primary');
    const primaryProbe = this.probes[primaryIndex];
    const head = headStamp(
      entry.head,
      primaryProbe?.reachable ? (entry.stamps[primaryIndex] ?? null) : null,
    );
    entry.states = this.regions.map((region, i) =>
      cellState(this.probes[i] ?? unknownProbe(region), entry.stamps[i] ?? null, head, now),
    );
    if (entry.states.every((s) => s === 'in_sync')) this.behind.delete(entry);
    else this.behind.add(entry);
  }

  private changed(entry: AppEntry, now: number): void {
    entry.rev += 1;
    entry.changedAt = now;
    this.judge(entry, now);
    this.dirty.add(entry);
    this.scopeDirty.add(entry);
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
  }

  private flush(): void {
    this.flushQueued = false;
    const entries = [...this.dirty];
    this.dirty.clear();
    for (const entry of entries) this.notify(entry, 'change');
    this.queueScopeFlush();
  }

  private notify(entry: AppEntry, why: 'change' | 'tick'): void {
    const listeners = this.appListeners.get(entry.appId);
    if (!listeners) return;
    for (const listener of [...listeners]) listener(entry, why);
  }

  private queueScopeFlush(): void {
    if (this.scopeListeners.size === 0) {
      this.scopeDirty.clear();
      return;
    }
    if (this.scopeTimer) return;
    this.scopeTimer = setTimeout(() => {
      this.scopeTimer = null;
      const apps = [...this.scopeDirty];
      const regions = this.scopeRegionsDirty;
      this.scopeDirty.clear();
      this.scopeRegionsDirty = false;
      if (apps.length === 0 && !regions) return;
      for (const listener of [...this.scopeListeners]) listener({ apps, regions });
    }, SCOPE_FLUSH_MS);
    this.scopeTimer.unref();
  }
}

function unknownProbe(region: Region): RegionProbe {
  return {
    region,
    reachable: false,
    linkUp: null,
    linkDownForMs: null,
    connectedReplicas: null,
    roundTripMs: null,
    error: 'not read yet',
    unreachableSince: null,
  };
}

function compareListing(a: AppEntry, b: AppEntry): number {
  return (
    (a.tenantId ?? '').localeCompare(b.tenantId ?? '') ||
    (a.name ?? a.appId).localeCompare(b.name ?? b.appId)
  );
}
