import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { GET as appEvents } from '@/app/api/apps/[appId]/propagation/events/route';
import { GET as scopeEvents } from '@/app/api/propagation/events/route';
import { parseUpdateMessage, UPDATES_CHANNEL } from '@/lib/contract/cache-layout';
import type { FleetStreamEvent } from '@/lib/propagation/fleet-status';
import { fault, flushPrimary, redisAs, stackStatus, waitFor } from '@/test/helpers/devstack';
import { collections, type AppDoc } from '@/lib/db/collections';
import { testObserver } from '@/test/helpers/observer';
import { createPushedApp, removeApps, saveNextVersion } from '@/test/helpers/propagation';
import { getObserver, stopObserver } from '@/lib/propagation/observer/instance';
import type { StatusObserver } from '@/lib/propagation/observer/observer';
import { appPropagationStatus } from '@/lib/propagation/read-status';
import { waitForConvergence } from '@/lib/propagation/wait';
import { openWatches } from '@/lib/propagation/watch-limits';
import { closeSubscriber, openSubscriber } from '@/lib/redis/clients';
import { listRegions, primaryRegion } from '@/lib/regions';
import { startWorker, type RunningWorker } from '@/lib/worker/run-worker';
import { createTestToken, requestWith } from '@/test/helpers/auth';
import { tokenPrincipal } from '@/lib/auth/principal';
import { closeStores } from '@/test/helpers/stores';

/**
 * The status observer against the devstack: what two server processes, lost messages, a flushed
 * primary and a dead region do to it, and whether event streams leave anything behind.
 */

const TENANT = `int-observer-${randomBytes(3).toString('hex')}`;
const SCAN_MS = 300;
const created: string[] = [];
const observers: StatusObserver[] = [];
let worker: RunningWorker | null = null;

const newApp = () => createPushedApp(TENANT, created, 'obs');
const own = () => {
  // Its own subscriptions and scans, as a second server process would have.
  const observer = testObserver(SCAN_MS);
  observers.push(observer);
  return observer;
};

async function converges(observer: StatusObserver, app: AppDoc, version: number, ms = 5_000) {
  const result = await waitForConvergence(app, version, ms, { observer });
  expect(result.converged, `every region on v${version}`).toBe(true);
  return result;
}

async function healStack(): Promise<void> {
  for (const region of listRegions()) await fault(region.name, 'revive');
  for (const region of listRegions().filter((r) => r.role === 'replica'))
    await fault(region.name, 'heal');
  await waitFor(async () => (await stackStatus()).healthy, 30_000, 'a healthy stack', 100);
}

beforeAll(healStack);

afterEach(async () => {
  await worker?.stop();
  worker = null;
  await Promise.all(observers.splice(0).map((o) => o.stop()));
  await healStack();
});

afterAll(async () => {
  await removeApps(created);
  await stopObserver();
  const c = await collections();
  await c.apiTokens.deleteMany({ tenantId: TENANT });
  await closeStores({ subscribers: true });
});

interface StreamEvent {
  name: string;
  data: unknown;
  /** performance.now() when it was read here. */
  at: number;
}

/** Reads an event stream's events as they come; `next` resolves with the first that matches. */
function readEvents(response: Response) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const events: StreamEvent[] = [];
  const waiting: { match: (e: StreamEvent) => boolean; resolve: (e: StreamEvent) => void }[] = [];
  void (async () => {
    let buffer = '';
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) return;
      const at = performance.now();
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const name = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (!name || data === undefined) continue;
        const event = { name, data: JSON.parse(data) as unknown, at };
        events.push(event);
        for (const w of waiting.splice(0)) {
          if (w.match(event)) w.resolve(event);
          else waiting.push(w);
        }
      }
    }
  })();
  return {
    events,
    next(match: (e: StreamEvent) => boolean, ms = 10_000): Promise<StreamEvent> {
      const seen = events.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no such event')), ms);
        waiting.push({
          match,
          resolve: (e) => {
            clearTimeout(timer);
            resolve(e);
          },
        });
      });
    },
    close: () => reader.cancel(),
  };
}

describe('status observer', () => {
  it('two observers, as two server processes, both see a save made through either', async () => {
    const [a, b] = [own(), own()];
    await Promise.all([a.ready(), b.ready()]);
    const app = await newApp();
    await converges(a, app, 1);
    await converges(b, app, 1);
    for (let i = 0; i < 2; i += 1) {
      const { doc } = await saveNextVersion(app);
      for (const observer of [a, b]) {
        const { status } = await converges(observer, app, doc.version);
        expect(status.head?.version).toBe(doc.version);
        expect(status.allInSync).toBe(true);
      }
    }
  });

  it('a save whose messages were lost (subscribers killed) is found by the scan', async () => {
    const observer = own();
    await observer.ready();
    const app = await newApp();
    await converges(observer, app, 1);
    // Drop every pub/sub connection; ioredis needs ≥ 250 ms to reconnect, so the save's
    // messages reach nobody here.
    const killers = listRegions().map((r) => redisAs('admin', r.url));
    try {
      const killed = await Promise.all(
        killers.map((k) => k.call('CLIENT', 'KILL', 'TYPE', 'pubsub')),
      );
      expect(killed.every((n) => Number(n) >= 1)).toBe(true);
    } finally {
      for (const k of killers) k.disconnect();
    }
    const { doc } = await saveNextVersion(app);
    // The messages are gone for good (pub/sub keeps nothing): only a scan can find the version.
    await converges(observer, app, doc.version, 10 * SCAN_MS);
    await waitFor(
      () => observer.stats().subscribed === listRegions().length,
      5_000,
      'resubscribed',
      50,
    );
  });

  it('primary FLUSHALL: behind everywhere, the worker re-pushes, observers converge', async () => {
    const [a, b] = [own(), own()];
    await Promise.all([a.ready(), b.ready()]);
    const app = await newApp();
    const { doc } = await saveNextVersion(app);
    await converges(a, app, doc.version);
    await flushPrimary();
    await waitFor(
      async () => {
        const status = a.statusOf(await a.appEntry(app._id));
        return status.regions.every((r) => r.stamp === null) ? status : null;
      },
      5_000,
      'the flush seen',
      50,
    );
    expect((await appPropagationStatus(app, b)).allInSync).toBe(false);
    worker = await startWorker({ log: () => {}, intervals: { reconcileMs: 200 } });
    for (const observer of [a, b]) {
      const { status } = await converges(observer, app, doc.version, 15_000);
      expect(status.regions.every((r) => r.stamp?.version === doc.version)).toBe(true);
    }
  });

  it('a killed region is unreachable within one scan interval, with its since', async () => {
    const observer = own();
    await observer.ready();
    const app = await newApp();
    await converges(observer, app, 1);
    const victim = listRegions()
      .filter((r) => r.role === 'replica')
      .at(-1);
    if (!victim) throw new Error('needs a replica');
    const killedAt = Date.now();
    await fault(victim.name, 'kill');
    const index = observer.regions.findIndex((r) => r.name === victim.name);
    await waitFor(
      () => observer.regionProbes()[index]?.reachable === false,
      5_000,
      'unreachable',
      10,
    );
    expect(Date.now() - killedAt).toBeLessThanOrEqual(SCAN_MS + 200);
    const status = await appPropagationStatus(app, observer);
    const down = status.regions.find((r) => r.name === victim.name);
    expect(down?.state).toBe('unreachable');
    expect(down?.unreachableSince).toEqual(expect.any(Number));
  });

  it('an app stream has every save in sync once the last region announced it (the delay is logged)', async () => {
    const app = await newApp();
    const { secret } = await createTestToken({ tenantId: TENANT, scope: 'read' });
    await getObserver().ready();
    // This process's own subscription to every region: when each announced the version.
    const announced = new Map<string, number>();
    const subscribers = listRegions().map((region) => {
      const sub = openSubscriber(region, 'int-arrivals');
      sub.on('message', (_channel: string, raw: string) => {
        const message = parseUpdateMessage(raw);
        if (message?.appId === app._id)
          announced.set(`${region.name}:${message.version}`, performance.now());
      });
      return sub;
    });
    await Promise.all(subscribers.map((s) => s.subscribe(UPDATES_CHANNEL)));
    const abort = new AbortController();
    const response = await appEvents(
      new Request(
        requestWith({ kind: 'bearer', token: secret }, `/api/apps/${app._id}/propagation/events`),
        { signal: abort.signal },
      ),
      { params: Promise.resolve({ appId: app._id }) },
    );
    const stream = readEvents(response);
    try {
      // In sync before the first save: a region revived by an earlier test is reachable again for
      // this process's observer only after its next scan, which is not what is measured here.
      await stream.next((e) => (e.data as { allInSync: boolean }).allInSync);
      const delays: number[] = [];
      for (let i = 0; i < 3; i += 1) {
        const { doc } = await saveNextVersion(app);
        const inSync = await stream.next((e) => {
          const status = e.data as { head: { version: number } | null; allInSync: boolean };
          return status.head?.version === doc.version && status.allInSync;
        });
        // This test's own subscriber may hear the last region a moment after the observer did.
        const last = await waitFor(
          () => {
            const times = listRegions().map((r) => announced.get(`${r.name}:${doc.version}`));
            return times.every((t) => t !== undefined) ? Math.max(...times) : null;
          },
          5_000,
          `every region to announce v${doc.version}`,
        );
        delays.push(inSync.at - last);
      }
      console.log(
        `last region's announcement → in-sync event: ${delays.map((d) => d.toFixed(1)).join(', ')} ms`,
      );
      // How soon is the watchers benchmark's question: a time bound here failed on a loaded
      // machine (985 ms at load 12). That no timer stands in the way is change-feed.test.ts's.
      expect(delays).toHaveLength(3);
    } finally {
      abort.abort();
      await stream.close();
      await Promise.all(subscribers.map(closeSubscriber));
    }
  });

  it('the scope stream sends the rows of its tenant’s changed apps, numbered from 0 on connect', async () => {
    const [app, foreign] = [
      await newApp(),
      await createPushedApp(`${TENANT}-other`, created, 'obs'),
    ];
    const { secret } = await createTestToken({ tenantId: TENANT, scope: 'read' });
    await getObserver().ready();
    const abort = new AbortController();
    const response = await scopeEvents(
      new Request(requestWith({ kind: 'bearer', token: secret }, '/api/propagation/events'), {
        signal: abort.signal,
      }),
      { params: Promise.resolve({}) },
    );
    const stream = readEvents(response);
    const fleet = (e: StreamEvent) => (e.name === 'fleet' ? (e.data as FleetStreamEvent) : null);
    try {
      expect(fleet(await stream.next((e) => e.name === 'fleet'))).toEqual({ seq: 0, rows: [] });
      await saveNextVersion(foreign);
      const { doc } = await saveNextVersion(app);
      const rowOf = (e: StreamEvent) => {
        const event = fleet(e);
        return event && 'rows' in event ? event.rows.find((r) => r.appId === app._id) : undefined;
      };
      const moved = await stream.next((e) => rowOf(e)?.headVersion === doc.version);
      expect(rowOf(moved)).toMatchObject({ tenantId: TENANT, moved: true });
      await stream.next((e) => {
        const row = rowOf(e);
        return row?.headVersion === doc.version && row.regions.every((r) => r.state === 'in_sync');
      });
      const fleetEvents = stream.events.flatMap((e) => fleet(e) ?? []);
      // Numbered one by one, and never a row of another tenant.
      expect(fleetEvents.map((e) => e.seq)).toEqual(fleetEvents.map((_, i) => i));
      const rows = fleetEvents.flatMap((e) => ('rows' in e ? e.rows : []));
      expect(rows.every((r) => r.tenantId === TENANT)).toBe(true);
    } finally {
      abort.abort();
      await stream.close();
    }
  });

  it('10 000 stream connects and disconnects leave no listener, no open watch, no memory behind', async () => {
    const app = await newApp();
    const { token, secret } = await createTestToken({ tenantId: TENANT, scope: 'read' });
    const principal = tokenPrincipal(token);
    const observer = getObserver();
    await observer.ready();
    const cycle = async () => {
      const abort = new AbortController();
      const request = new Request(
        requestWith({ kind: 'bearer', token: secret }, `/api/apps/${app._id}/propagation/events`),
        { signal: abort.signal },
      );
      const response = await appEvents(request, { params: Promise.resolve({ appId: app._id }) });
      expect(response.status).toBe(200);
      const reader = response.body?.getReader();
      const first = await reader?.read();
      expect(new TextDecoder().decode(first?.value)).toContain('event: status');
      abort.abort();
      await reader?.cancel();
    };
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // Finalizers (undici's, for each request's signal) run in a task after the collection that
    // found their objects: let them run, then collect what they released.
    const heapAfterGc = async () => {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 200));
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };
    // Warm up (module loading, caches), then measure across the cycles.
    for (let i = 0; i < 200; i += 1) await cycle();
    const before = await heapAfterGc();
    const CYCLES = 10_000;
    const PARALLEL = 10;
    for (let i = 0; i < CYCLES; i += PARALLEL) {
      await Promise.all(Array.from({ length: PARALLEL }, cycle));
    }
    const after = await heapAfterGc();
    expect(observer.stats().appListeners).toBe(0);
    expect(observer.stats().watchedApps).toBe(0);
    expect(openWatches(principal)).toBe(0);
    const grownMb = (after - before) / 1024 / 1024;
    console.log(`10 000 stream cycles: heap ${grownMb.toFixed(1)} MB after vs before (after GC)`);
    expect(grownMb).toBeLessThan(10);
  }, 300_000);
});

// The region-down markers of a killed replica must not outlive the test.
afterAll(async () => {
  const redis = redisAs('writer', primaryRegion().url);
  await redis.del(...listRegions().map((r) => `propagate:region-down:${r.name}`)).catch(() => 0);
  redis.disconnect();
});
