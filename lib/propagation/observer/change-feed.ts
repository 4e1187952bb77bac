import type { AppEntry } from '@/lib/propagation/observer/app-entry';

/** 'change': something a watcher sees changed; 'tick': only elapsed times moved (app behind). */
export type AppListener = (entry: AppEntry, why: 'change' | 'tick') => void;
/** Apps whose state changed since the last call, and whether region health changed. */
export type ScopeListener = (change: { apps: readonly AppEntry[]; regions: boolean }) => void;

/** Scope listeners hear at most this often (a fleet page refetches at most this often). */
const SCOPE_FLUSH_MS = 250;

/**
 * Who listens to the observer, and what they have not heard yet. App listeners hear each change
 * once, batched per microtask (several inputs applied in one pass make one event); scope
 * listeners (fleet and region streams) hear the apps changed since the last call, at most every
 * SCOPE_FLUSH_MS.
 */
export class ChangeFeed {
  private readonly appListeners = new Map<string, Set<AppListener>>();
  private readonly scopeListeners = new Set<ScopeListener>();
  private readonly dirty = new Set<AppEntry>();
  private readonly scopeDirty = new Set<AppEntry>();
  private scopeRegionsDirty = false;
  private flushQueued = false;
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

  /** An entry changed: its watchers hear it after the current pass, scope listeners soon. */
  changed(entry: AppEntry): void {
    this.dirty.add(entry);
    this.scopeDirty.add(entry);
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Only the fleet's view of the entry changed (its tenant or name became known). */
  listed(entry: AppEntry): void {
    this.scopeDirty.add(entry);
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

  stop(): void {
    if (this.scopeTimer) clearTimeout(this.scopeTimer);
    this.scopeTimer = null;
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
    this.flushQueued = false;
    const entries = [...this.dirty];
    this.dirty.clear();
    for (const entry of entries) this.notify(entry, 'change');
    this.queueScopeFlush();
  }
}
