import { describe, expect, it } from 'vitest';
import { percentile, summariseLatencies } from './latency';

describe('percentile', () => {
  it.each([
    [[], 50, null],
    [[7], 50, 7],
    [[7], 99, 7],
    [[1, 2, 3, 4], 50, 2],
    [[4, 3, 2, 1], 50, 2],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90, 9],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99, 10],
    [Array.from({ length: 200 }, (_, i) => i + 1), 99, 198],
    [Array.from({ length: 200 }, (_, i) => i + 1), 50, 100],
  ])('of %j at p%i is %j', (values, p, expected) => {
    expect(percentile(values, p)).toBe(expected);
  });

  it('does not reorder the caller’s array', () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('summariseLatencies', () => {
  const msg = (latencyMs: number) => ({ latencyMs, method: 'pubsub' as const });
  const poll = (latencyMs: number) => ({ latencyMs, method: 'poll' as const });

  it('gives p50, p99, max and the sample count', () => {
    expect(summariseLatencies('eu-west-1', [msg(10), msg(30), msg(20), msg(400)])).toEqual({
      region: 'eu-west-1',
      samples: 4,
      p50Ms: 20,
      p99Ms: 400,
      maxMs: 400,
      method: 'pubsub',
    });
  });

  it('leaves polls out where messages were heard (a poll is only an upper bound)', () => {
    expect(summariseLatencies('eu-west-1', [msg(10), poll(7_000), msg(12)])).toMatchObject({
      samples: 2,
      p99Ms: 12,
      method: 'pubsub',
    });
  });

  it('uses polls where no message ever arrived, and says so', () => {
    expect(summariseLatencies('ap-south-1', [poll(900), poll(1_100)])).toMatchObject({
      samples: 2,
      p50Ms: 900,
      method: 'poll',
    });
  });

  it('says "no data" rather than zero for a region without arrivals', () => {
    expect(summariseLatencies('ap-south-1', [])).toEqual({
      region: 'ap-south-1',
      samples: 0,
      p50Ms: null,
      p99Ms: null,
      maxMs: null,
      method: null,
    });
  });
});
