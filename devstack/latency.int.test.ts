import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { endpoints } from './endpoints';
import { adminConnections, fault, stackStatus } from '../test/helpers/devstack';

const { primary, replicas } = endpoints();
const { connect, closeAll } = adminConnections();

afterAll(closeAll);

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] ?? NaN)
    : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
};

/**
 * Time from sending a write to the primary until it is applied on each replica. The replica
 * learns of it through the replication stream, so a message published right after the write
 * (same MULTI) arrives exactly when the write did.
 */
async function measureArrivals(
  regions: { region: string; url: string }[],
  writes: number,
): Promise<Map<string, number[]>> {
  const channel = `devstack:test:latency:${randomUUID()}`;
  const writer = connect(primary.url);
  const arrivals = new Map<string, number[]>(regions.map((r) => [r.region, []]));
  const waiting = new Map<string, (region: string, at: number) => void>();
  await Promise.all(
    regions.map(async (r) => {
      const subscriber = connect(r.url);
      subscriber.on('message', (_channel: string, id: string) =>
        waiting.get(id)?.(r.region, performance.now()),
      );
      await subscriber.subscribe(channel);
    }),
  );
  for (let i = 0; i < writes; i += 1) {
    const id = randomUUID();
    const seen = new Promise<void>((resolve, reject) => {
      let pending = regions.length;
      const timer = setTimeout(
        () => reject(new Error(`write ${i} did not reach every replica`)),
        5000,
      );
      waiting.set(id, (region, at) => {
        arrivals.get(region)?.push(at - sentAt);
        pending -= 1;
        if (pending === 0) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const sentAt = performance.now();
    await writer
      .multi()
      .set(`devstack:test:latency:${i}`, id, 'EX', 60)
      .publish(channel, id)
      .exec();
    await seen;
    waiting.delete(id);
  }
  return arrivals;
}

describe('devstack link latency', () => {
  it('delays a write to the slowed replica by the configured one-way latency', async () => {
    const [slow, fast] = replicas;
    if (!slow || !fast) throw new Error('needs two replicas');
    const before = await stackStatus();
    const delayOf = (region: string): number =>
      before.processes.find((p) => p.name === region)?.delayMs ?? 0;
    const restore = { slow: delayOf(slow.region), fast: delayOf(fast.region) };
    try {
      await fault(slow.region, 'latency', 100);
      await fault(fast.region, 'latency', 0);
      await new Promise((resolve) => setTimeout(resolve, 300)); // let bytes sent under the old delay drain

      const arrivals = await measureArrivals([slow, fast], 11);
      const slowMedian = median(arrivals.get(slow.region) ?? []);
      const fastMedian = median(arrivals.get(fast.region) ?? []);
      console.log(
        `[devstack] latency 100 ms → median arrival ${slowMedian.toFixed(1)} ms on ${slow.region}, ` +
          `${fastMedian.toFixed(1)} ms on ${fast.region} (0 ms), ${arrivals.get(slow.region)?.length} writes`,
      );
      // Measured against the unslowed replica, which pays the same for a busy machine (timers
      // firing late, a slow event loop): the difference is the link's delay.
      expect(slowMedian - fastMedian).toBeGreaterThanOrEqual(90);
      expect(slowMedian - fastMedian).toBeLessThanOrEqual(200);
      expect(fastMedian).toBeLessThan(slowMedian / 2);
    } finally {
      await fault(slow.region, 'latency', restore.slow);
      await fault(fast.region, 'latency', restore.fast);
    }
  });
});
