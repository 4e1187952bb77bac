import { metrics } from '@/lib/metrics';
import type { AppEntry } from '@/lib/propagation/observer/app-entry';

/** 'change': something a watcher sees changed; 'tick': only elapsed times moved (app behind). */
export type AppListener = (entry: AppEntry, why: 'change' | 'tick') => void;
/** What changed in the fleet since the last batch; the same objects for every listener. */
export interface ScopeBatch {
  apps: readonly AppEntry[];
  /**
   * Of those, the apps whose region states or listing changed: their place in the fleet's order
   * (not in sync first) may have moved. The others changed only inside their row.
   */
  moved: ReadonlySet<AppEntry>;
  /** Region health changed or was read again. */
  regions: boolean;
}
export type ScopeListener = (batch: ScopeBatch) => void;

/**
 * Scope listeners hear at most this often: a fleet stream sends one batch of rows per interval
 * however many apps change, and a mass change (a re-push of every app) costs one batch, not one
 * event per app.
 */
const SCOPE_FLUSH_MS = 100;

/**
 * Who listens to the observer, and what they have not heard yet. App listeners hear each change
 * at once: changes applied in the same turn of the event loop (several update messages read
 * together, one scan's results) make one event, and nothing waits for a timer, so the last
 * region's arrival reaches an app's watchers straight away. Scope listeners (fleet and region
 * streams, the event detector) hear batches of the apps changed, at most every SCOPE_FLUSH_MS.
 */
export class ChangeFeed {
  private readonly appListeners = new Map<string, Set<AppListener>>();
  private readonly scopeListeners = new Set<ScopeListener>();
  private readonly dirty = new Set<AppEntry>();
  private readonly scopeDirty = new Set<AppEntry>();
  private readonly scopeMoved = new Set<AppEntry>();
  private scopeRegionsDirty = false;
  private flushQueued: NodeJS.Immediate | null = null;
  private scopeTimer: NodeJS.Timeout | null = null;

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

  /** Apps someone watches: the scan reads them every time. */
  watchedApps(): Iterable<string> {
    return this.appListeners.keys();
  }

  /**
   * An entry changed: its watchers hear it once this turn of the event loop ends (setImmediate:
   * after the I/O callbacks of this turn, before any timer), scope listeners with the next batch.
   */
  changed(entry: AppEntry): void {
    this.dirty.add(entry);
    this.scopeDirty.add(entry);
    this.flushQueued ??= setImmediate(() => this.flush());
  }

  /** The entry's region states were judged different: its place in the fleet may move. */
  moved(entry: AppEntry): void {
    if (this.scopeListeners.size > 0) this.scopeMoved.add(entry);
  }

  /** Only the fleet's view of the entry changed (its tenant or name became known). */
  listed(entry: AppEntry): void {
    this.scopeDirty.add(entry);
    this.moved(entry);
  }

  regionsScanned(): void {
    this.scopeRegionsDirty = true;
  }

  notify(entry: AppEntry, why: 'change' | 'tick'): void {
    const listeners = this.appListeners.get(entry.appId);
    if (!listeners) return;
    for (const listener of [...listeners]) listener(entry, why);
  }

  queueScopeFlush(): void {
    if (this.scopeListeners.size === 0) {
      this.scopeDirty.clear();
      this.scopeMoved.clear();
      return;
    }
    if (this.scopeTimer) return;
    this.scopeTimer = setTimeout(() => {
      this.scopeTimer = null;
      const batch: ScopeBatch = {
        apps: [...this.scopeDirty],
        moved: new Set(this.scopeMoved),
        regions: this.scopeRegionsDirty,
      };
      this.scopeDirty.clear();
      this.scopeMoved.clear();
      this.scopeRegionsDirty = false;
      if (batch.apps.length === 0 && !batch.regions) return;
      for (const listener of [...this.scopeListeners]) listener(batch);
    }, SCOPE_FLUSH_MS);
    this.scopeTimer.unref();
  }

  stop(): void {
    if (this.scopeTimer) clearTimeout(this.scopeTimer);
    this.scopeTimer = null;
    if (this.flushQueued) clearImmediate(this.flushQueued);
    this.flushQueued = null;
    this.appListeners.clear();
    this.scopeListeners.clear();
  }

  stats() {
    let appListeners = 0;
    for (const set of this.appListeners.values()) appListeners += set.size;
    return {
      appListeners,
      watchedApps: this.appListeners.size,
      scopeListeners: this.scopeListeners.size,
    };
  }

  private flush(): void {
    this.flushQueued = null;
    const entries = [...this.dirty];
    this.dirty.clear();
    for (const entry of entries) {
      if (!this.appListeners.has(entry.appId)) continue;
      this.notify(entry, 'change');
      metrics().statusFanoutSeconds.observe((Date.now() - entry.changedAt) / 1_000);
    }
    this.queueScopeFlush();
  }
}
