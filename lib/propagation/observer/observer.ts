import 'server-only';
import type { Redis } from 'ioredis';
import { parseUpdateMessage, UPDATES_CHANNEL } from '@/lib/contract/cache-layout';
import { latestArrivals } from '@/lib/db/arrivals';
import { readHead } from '@/lib/db/heads';
import type { AppPropagationStatus } from '@/lib/propagation/app-status';
import { isComplete, type AppEntry } from '@/lib/propagation/observer/app-entry';
import type { AppListener, ScopeListener } from '@/lib/propagation/observer/change-feed';
import { errorText, HeadInputs } from '@/lib/propagation/observer/head-inputs';
import { applyMessage, applyRead, scanSelection } from '@/lib/propagation/observer/region-inputs';
import { Snapshot, type TimedProbe } from '@/lib/propagation/observer/snapshot';
import { readAllRegions, type StampsRead } from '@/lib/propagation/read-stamps';
import { closeSubscriber, openSubscriber } from '@/lib/redis/clients';
import { listRegions, type Region } from '@/lib/regions';
import { log } from '@/lib/log';
import { metrics } from '@/lib/metrics';

const observerLog = log.child({ component: 'observer' });
const countInput = (input: 'message' | 'scan' | 'reconcile') =>
  metrics().observerEvents.inc({ input });

export type { AppListener, ScopeListener } from '@/lib/propagation/observer/change-feed';
export type { TimedProbe } from '@/lib/propagation/observer/snapshot';

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

/**
 * The status observer (docs/architecture.md): one per server process, a snapshot of every app's
 * head and of what every region serves for it, so a status answer costs no I/O however many
 * people ask. Inputs: the update channel on every region (a message arrives right behind the data
 * it announces), a periodic pipelined scan per region (lost messages, restarts, a flushed
 * primary, unreachable regions), and a periodic reconcile against MongoDB (saves made by other
 * processes whose push failed, pushes, measured arrivals). Derived state only: rebuilt at start.
 *
 * This file is its life cycle and its public face; the state is in snapshot.ts, who listens in
 * change-feed.ts, and the inputs in region-inputs.ts and head-inputs.ts.
 */
export class StatusObserver {
  readonly regions: readonly Region[];
  private readonly opts: Required<Omit<ObserverOptions, 'regions'>>;
  private readonly snap: Snapshot;
  private readonly heads: HeadInputs;
  private sweepCursor = 0;
  private readonly coldLoads = new Map<string, Promise<AppEntry>>();
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
      log: options.log ?? ((line) => observerLog.info(line)),
    };
    this.snap = new Snapshot(this.regions, () => this.heads.scheduleListing());
    this.heads = new HeadInputs(this.snap, this.opts);
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
        countInput('message');
        if (message) applyMessage(this.snap, index, message);
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
    this.heads.stop();
    this.snap.feed.stop();
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
    const entry = this.snap.apps.get(appId);
    if (entry && isComplete(entry, this.snap.probes)) return entry;
    let load = this.coldLoads.get(appId);
    if (!load) {
      load = this.coldLoad(appId).finally(() => this.coldLoads.delete(appId));
      this.coldLoads.set(appId, load);
    }
    return load;
  }

  /** The app's tenant as the apps collection lists it, if the snapshot has listed the app. */
  listedApp(appId: string): { appId: string; tenantId: string } | null {
    const entry = this.snap.apps.get(appId);
    return entry?.name != null && entry.tenantId !== null
      ? { appId: entry.appId, tenantId: entry.tenantId }
      : null;
  }

  /** The app's status from the snapshot; the same object for every caller until it changes. */
  statusOf(entry: AppEntry, now = Date.now()): AppPropagationStatus {
    return this.snap.statusOf(entry, now);
  }

  /** Every region reachable and holding `version` or newer. */
  converged(entry: AppEntry, version: number): boolean {
    return this.snap.converged(entry, version);
  }

  /** Every entry in fleet order (tenant, name); callers must not keep or change them. */
  entries(): readonly AppEntry[] {
    return this.snap.entries();
  }

  /** These apps' entries (those the snapshot holds), in fleet order: a page of the apps list. */
  entriesOf(appIds: readonly string[]): AppEntry[] {
    return this.snap.entriesOf(appIds);
  }

  regionProbes(): readonly (TimedProbe | null)[] {
    return this.snap.probes;
  }

  /** Measurements for tests and the benchmark. */
  stats() {
    return {
      apps: this.snap.apps.size,
      behind: this.snap.behind.size,
      ...this.snap.feed.stats(),
      cachedStatuses: this.snap.cachedStatuses(),
      subscribed: this.subscribers.filter((s) => s.status === 'ready').length,
    };
  }

  // ---- listeners ---------------------------------------------------------------------------

  watchApp(appId: string, listener: AppListener): () => void {
    return this.snap.feed.watchApp(appId, listener);
  }

  watchScope(listener: ScopeListener): () => void {
    return this.snap.feed.watchScope(listener);
  }

  // ---- life cycle --------------------------------------------------------------------------

  private async initialLoad(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt += 1) {
      try {
        await this.heads.fullReconcile();
        // Every app once, slice by slice, before the first answer that needs them all.
        const all = this.snap.entries();
        let offset = 0;
        do {
          const ids = all.slice(offset, offset + this.opts.sweepSize).map((e) => e.appId);
          const issuedAt = Date.now();
          this.readRegions(ids, issuedAt, await readAllRegions(ids, { regions: this.regions }));
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
    this.every(this.opts.reconcileMs, () => {
      countInput('reconcile');
      return this.heads.reconcile();
    });
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
    countInput('scan');
    const { ids, cursor } = scanSelection(this.snap, this.sweepCursor, this.opts.sweepSize);
    this.sweepCursor = cursor;
    const issuedAt = Date.now();
    this.readRegions(ids, issuedAt, await readAllRegions(ids, { regions: this.regions }));
  }

  private readRegions(ids: readonly string[], issuedAt: number, read: StampsRead): void {
    const outrun = applyRead(this.snap, read, ids, issuedAt);
    if (outrun.length > 0) void this.heads.refreshHeads(outrun.map((e) => e.appId));
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
    const entry = this.snap.entryFor(appId, head?.tenantId);
    if (head) this.heads.applyHead(head, now);
    entry.headKnown = true;
    this.readRegions([appId], issuedAt, read);
    for (const arrival of arrivals) this.heads.applyArrival(arrival, now);
    entry.arrivalsLoaded = true;
    this.snap.judge(entry, Date.now());
    return entry;
  }
}
