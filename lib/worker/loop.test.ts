import { describe, expect, it } from 'vitest';
import { every } from './loop';

describe('every', () => {
  it('keeps running after a failing pass, logs the streak once and its end', async () => {
    const stop = new AbortController();
    const lines: string[] = [];
    let calls = 0;
    const loop = every(
      'demo',
      0,
      () => {
        calls += 1;
        if (calls <= 3) return Promise.reject(new Error('redis down'));
        if (calls === 5) stop.abort();
        return Promise.resolve();
      },
      { signal: stop.signal, log: (l) => lines.push(l) },
    );
    await loop;
    expect(calls).toBe(5);
    expect(lines).toEqual(['demo: redis down (retrying every 0 ms)', 'demo: recovered']);
  });
});
