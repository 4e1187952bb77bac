import { describe, expect, it } from 'vitest';
import { sleep, withTimeout } from './timing';

describe('sleep', () => {
  it('ends at once when stopped', async () => {
    const stop = new AbortController();
    const slept = sleep(60_000, stop.signal);
    stop.abort();
    await expect(slept).resolves.toBeUndefined();
  });

  it('does not wait when already stopped', async () => {
    const stop = new AbortController();
    stop.abort();
    await expect(sleep(60_000, stop.signal)).resolves.toBeUndefined();
  });
});

describe('withTimeout', () => {
  it('gives the answer that comes in time', async () => {
    await expect(withTimeout(Promise.resolve(7), 1_000, 'eu-west-1')).resolves.toBe(7);
  });

  it('names what did not answer', async () => {
    await expect(withTimeout(new Promise(() => {}), 5, 'eu-west-1')).rejects.toThrow(
      'eu-west-1 did not answer within 5 ms',
    );
  });
});
