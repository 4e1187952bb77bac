import { afterEach, describe, expect, it, vi } from 'vitest';
import { newEntry } from '@/lib/propagation/observer/app-entry';
import { ChangeFeed, type ScopeBatch } from '@/lib/propagation/observer/change-feed';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

afterEach(() => vi.useRealTimers());

describe('ChangeFeed, app watchers', () => {
  it('hear the changes of one turn of the event loop as one event, without waiting for a timer', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval'] });
    const feed = new ChangeFeed();
    const a = newEntry('a', 4);
    const heard: string[] = [];
    feed.watchApp('a', (entry, why) => heard.push(`${entry.appId}:${why}`));
    // A burst: the messages of several regions read in the same turn.
    feed.changed(a);
    feed.changed(a);
    feed.changed(newEntry('b', 4));
    expect(heard).toEqual([]);
    await nextTurn();
    // No timer was advanced: nothing but the turn ending stood between the change and the event.
    expect(heard).toEqual(['a:change']);
    feed.changed(a);
    await nextTurn();
    expect(heard).toEqual(['a:change', 'a:change']);
    feed.stop();
  });

  it('forget a watcher once it stops, and hold nothing for an app nobody watches', async () => {
    const feed = new ChangeFeed();
    const heard: string[] = [];
    const stop = feed.watchApp('a', (entry) => heard.push(entry.appId));
    stop();
    feed.changed(newEntry('a', 1));
    await nextTurn();
    expect(heard).toEqual([]);
    expect(feed.stats()).toEqual({ appListeners: 0, watchedApps: 0, scopeListeners: 0 });
  });
});

describe('ChangeFeed, scope listeners', () => {
  it('hear batches: the apps changed, and of those which may have moved in the fleet order', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const feed = new ChangeFeed();
    const batches: ScopeBatch[] = [];
    feed.watchScope((batch) => batches.push(batch));
    const [a, b, c] = ['a', 'b', 'c'].map((id) => newEntry(id, 2));
    feed.changed(a!);
    feed.moved(a!);
    feed.changed(b!);
    feed.listed(c!);
    await nextTurn();
    expect(batches).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.apps.map((e) => e.appId).sort()).toEqual(['a', 'b', 'c']);
    expect([...batches[0]!.moved].map((e) => e.appId).sort()).toEqual(['a', 'c']);
    // The next batch starts empty.
    feed.changed(b!);
    await nextTurn();
    vi.advanceTimersByTime(100);
    expect(batches[1]!.apps.map((e) => e.appId)).toEqual(['b']);
    expect(batches[1]!.moved.size).toBe(0);
    feed.stop();
  });

  it('keep nothing while nobody listens', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const feed = new ChangeFeed();
    const a = newEntry('a', 2);
    feed.changed(a);
    feed.moved(a);
    await nextTurn();
    const batches: ScopeBatch[] = [];
    feed.watchScope((batch) => batches.push(batch));
    feed.changed(newEntry('b', 2));
    await nextTurn();
    vi.advanceTimersByTime(100);
    expect(batches.map((x) => x.apps.map((e) => e.appId))).toEqual([['b']]);
    expect(batches[0]!.moved.size).toBe(0);
    feed.stop();
  });
});
