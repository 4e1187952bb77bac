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
import { getCacheState } from '@/lib/db/cache-state';
import { liveDeployments } from '@/lib/model/migration';
import { closeSubscriber, openSubscriber } from '@/lib/redis/clients';
import { findDeployment, messageMeansArrival, regionsOf, type Region } from '@/lib/regions';
import { log } from '@/lib/log';
import { metrics } from '@/lib/metrics';

const observerLog = log.child({ component: 'observer' });
const countInput = (input: 'message' | 'scan' | 'reconcile') =>
  metrics().observerEvents.inc({ input });

export type {
  AppListener,
  ScopeBatch,
  ScopeListener,
} from '@/lib/propagation/observer/change-feed';
export type { TimedProbe } from '@/lib/propagation/observer/snapshot';

export interface ObserverOptions {
  /** Fixed regions (one deployment); by default every region of every live deployment. */
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
 * It watches every live cache deployment: the active one, and during a migration the other side
 * too (lib/model/migration.ts), followed from MongoDB's cache state at every reconcile; a
 * deployment that is retired is dropped with its subscriptions.
 *
 * This file is its life cycle and its public face; the state is in snapshot.ts, who listens in
 * change-feed.ts, and the inputs in region-inputs.ts and head-inputs.ts.
 */
export class StatusObserver {
  private readonly fixedRegions: readonly Region[] | null;
  private readonly opts: Required<Omit<ObserverOptions, 'regions'>>;
  private readonly snap: Snapshot;
  private readonly heads: HeadInputs;
  private sweepCursor = 0;
  private readonly coldLoads = new Map<string, Promise<AppEntry>>();
  /** One subscription per region, by deployment/region. */
  private readonly subscribers = new Map<string, Redis>();
  private readonly regionsKnown: Promise<void>;
  private resolveRegionsKnown!: () => void;
  private timers: NodeJS.Timeout[] = [];
  private readonly running = new Set<Promise<unknown>>();
  private stopped = false;
  private readonly readyPromise: Promise<void>;
  private resolveReady!: () => void;
  private started = false;

  constructor(options: ObserverOptions = {}) {
    this.fixedRegions = options.regions ?? null;
    this.opts = {
      scanMs: options.scanMs ?? 1_000,
      reconcileMs: options.reconcileMs ?? 1_000,
      fullReconcileMs: options.fullReconcileMs ?? 30_000,
      sweepSize: options.sweepSize ?? 5_000,
      // Every line the observer writes is a failure it retries.
      log: options.log ?? ((line) => observerLog.warn(line)),
    };
    this.snap = new Snapshot(() => this.heads.scheduleListing());
    this.heads = new HeadInputs(this.snap, this.opts);
    this.readyPromise = new Promise((resolve) => (this.resolveReady = resolve));
    this.regionsKnown = new Promise((resolve) => (this.resolveRegionsKnown = resolve));
  }

  /** Every region of every live deployment, the active deployment's first. */
  get regions(): readonly Region[] {
    return this.snap.regions;
  }

  /** The deployment services read from. */
  get activeDeployment(): string {
    return this.snap.activeDeployment;
  }

  /** Subscribes, loads every app and head, reads every region once, then keeps it all current. */
  start(): this {
    if (this.started) return this;
    this.started = true;
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
    await Promise.all([...this.subscribers.values()].map(closeSubscriber));
    this.subscribers.clear();
  }

  /** Resolves once every app has been loaded and every region read at least once. */
  ready(): Promise<void> {
    return this.readyPromise;
  }

  // ---- reads -------------------------------------------------------------------------------

  /** An app's entry, complete: read from MongoDB and every region first if it is not yet. */
  async appEntry(appId: string): Promise<AppEntry> {
    await this.regionsKnown;
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
      subscriptions: this.subscribers.size,
      subscribed: [...this.subscribers.values()].filter((s) => s.status === 'ready').length,
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
        await this.followDeployments();
        await this.heads.fullReconcile();
        await this.readEveryApp();
        break;
      } catch (error) {
        if (attempt === 0) this.opts.log(`initial load failed (${errorText(error)}); retrying`);
        await new Promise((resolve) => setTimeout(resolve, 1_000).unref());
      }
    }
    if (this.stopped) return;
    this.resolveReady();
    this.every(this.opts.scanMs, () => this.scan());
    this.every(this.opts.reconcileMs, async () => {
      countInput('reconcile');
      if (await this.followDeployments()) await this.readEveryApp();
      await this.heads.reconcile();
    });
  }

  /** Every app once, slice by slice (the first load, and after a deployment became live). */
  private async readEveryApp(): Promise<void> {
    const all = this.snap.entries();
    let offset = 0;
    do {
      const ids = all.slice(offset, offset + this.opts.sweepSize).map((e) => e.appId);
      await this.readRegions(ids);
      offset += this.opts.sweepSize;
    } while (offset < all.length);
  }

  /**
   * The regions to watch: fixed, or every region of every live deployment as MongoDB's cache
   * state says. Returns whether the set changed (regions of a new deployment are not read yet).
   */
  private async followDeployments(): Promise<boolean> {
    let regions: readonly Region[];
    let active: string;
    if (this.fixedRegions) {
      regions = this.fixedRegions;
      active = regions[0]?.deployment ?? '';
    } else {
      const state = await getCacheState();
      active = state.active;
      regions = liveDeployments(state).flatMap((name) => {
        const deployment = findDeployment(name);
        if (!deployment) this.opts.log(`cache deployment "${name}" is not declared here`);
        return deployment ? regionsOf(deployment) : [];
      });
    }
    const key = (r: Region) => `${r.deployment}/${r.name}`;
    const same =
      active === this.snap.activeDeployment &&
      regions.length === this.snap.regions.length &&
      regions.every((r, i) => this.snap.regions[i] && key(r) === key(this.snap.regions[i]));
    this.resolveRegionsKnown();
    if (same) return false;
    this.snap.setRegions(regions, active);
    const wanted = new Set(regions.map(key));
    for (const [k, client] of this.subscribers) {
      if (wanted.has(k)) continue;
      this.subscribers.delete(k);
      void closeSubscriber(client);
    }
    for (const region of regions) {
      const k = key(region);
      // A cluster region's message arrives by the bus, not behind the data: the scan reads it.
      if (this.subscribers.has(k) || !messageMeansArrival(region)) continue;
      const client = openSubscriber(region, 'observer');
      client.on('error', () => {});
      client.on('message', (channel: string, raw: string) => {
        if (channel !== UPDATES_CHANNEL) return;
        const message = parseUpdateMessage(raw);
        countInput('message');
        const index = this.snap.regions.findIndex((r) => key(r) === k);
        if (message && index >= 0) applyMessage(this.snap, index, message);
      });
      client.subscribe(UPDATES_CHANNEL).catch(() => {});
      this.subscribers.set(k, client);
    }
    return true;
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
    await this.readRegions(ids);
  }

  /**
   * One pipelined read per region, deployment by deployment (each keeps its own region-down
   * markers on its own primary); a read that outlived a change of the region set is dropped.
   */
  private async readRegions(ids: readonly string[]): Promise<void> {
    const rev = this.snap.regionSetRev;
    const issuedAt = Date.now();
    const groups = new Map<string, Region[]>();
    for (const region of this.snap.regions) {
      const group = groups.get(region.deployment) ?? [];
      group.push(region);
      groups.set(region.deployment, group);
    }
    const reads = await Promise.all(
      [...groups.values()].map((group) => readAllRegions(ids, { regions: group })),
    );
    if (rev !== this.snap.regionSetRev) return;
    const read: StampsRead = {
      readAt: Math.min(...reads.map((r) => r.readAt)),
      regions: reads.flatMap((r) => r.regions),
    };
    const outrun = applyRead(this.snap, read, ids, issuedAt);
    if (outrun.length > 0) void this.heads.refreshHeads(outrun.map((e) => e.appId));
  }

  /** One app read like a small scan: its head and arrivals from MongoDB, every region's stamp. */
  private async coldLoad(appId: string): Promise<AppEntry> {
    const [head, arrivals] = await Promise.all([
      readHead(appId, { data: false }),
      latestArrivals(appId, this.regions.length),
    ]);
    const now = Date.now();
    const entry = this.snap.entryFor(appId, head?.tenantId);
    if (head) this.heads.applyHead(head, now);
    entry.headKnown = true;
    await this.readRegions([appId]);
    for (const arrival of arrivals) this.heads.applyArrival(arrival, now);
    entry.arrivalsLoaded = true;
    this.snap.judge(entry, Date.now());
    return entry;
  }
}
