import { describe, expect, it } from 'vitest';
import { eventFrame, eventStream, sharedEventFrame, type SendEvent } from '@/lib/api/event-stream';

/** A stream whose client reads nothing until told to. */
function open() {
  const abort = new AbortController();
  let send: SendEvent = () => {};
  let cleanups = 0;
  const response = eventStream(new Request('http://test/', { signal: abort.signal }), (s) => {
    send = s;
    return () => (cleanups += 1);
  });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  /** Everything the client gets from now until the stream ends or `count` events arrived. */
  const read = async (count = Infinity) => {
    let text = '';
    while ((text.match(/\n\n/g) ?? []).length < count) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    return text;
  };
  return {
    send: (...a: Parameters<SendEvent>) => send(...a),
    read,
    abort,
    cleanups: () => cleanups,
  };
}

const big = (n: number) => ({ n, pad: 'x'.repeat(20_000) });
const numbers = (text: string) => [...text.matchAll(/"n":(\d+)/g)].map((m) => Number(m[1]));

describe('eventStream', () => {
  it('delivers every frame in order to a client that keeps up', async () => {
    const s = open();
    for (let n = 0; n < 5; n += 1) s.send(eventFrame('e', { n }));
    expect(numbers(await s.read(5))).toEqual([0, 1, 2, 3, 4]);
  });

  it('sends a slow client the newest of the frames that supersede each other, after the rest', async () => {
    const s = open();
    // 20 kB each: the first few fill the queue, the rest wait.
    for (let n = 0; n < 10; n += 1) s.send(eventFrame('status', big(n), 'status'));
    s.send(eventFrame('other', big(100)));
    s.send(eventFrame('status', big(10), 'status'));
    // The queue (64 kB) took the first four; of those waiting, the newest status comes last.
    expect(numbers(await s.read(6))).toEqual([0, 1, 2, 3, 100, 10]);
  });

  it('keeps every frame without a key for a slow client, in order', async () => {
    const s = open();
    for (let n = 0; n < 10; n += 1) s.send(eventFrame('row', big(n)));
    expect(numbers(await s.read(10))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(s.cleanups()).toBe(0);
  });

  it('disconnects a client that falls too far behind, and stops listening once', async () => {
    const s = open();
    for (let n = 0; n < 100; n += 1) s.send(eventFrame('row', big(n)));
    const got = numbers(await s.read());
    expect(got.length).toBeLessThan(100);
    expect(s.cleanups()).toBe(1);
    s.abort.abort();
    expect(s.cleanups()).toBe(1);
  });

  it('stops listening when the client goes away', () => {
    const s = open();
    s.abort.abort();
    s.abort.abort();
    expect(s.cleanups()).toBe(1);
  });

  it('encodes data shared by many streams once per event name', () => {
    const status = { version: 1 };
    expect(sharedEventFrame('region', status, 'status')).toBe(
      sharedEventFrame('region', status, 'status'),
    );
    expect(sharedEventFrame('head', status, 'status')).not.toBe(
      sharedEventFrame('region', status, 'status'),
    );
    expect(new TextDecoder().decode(sharedEventFrame('head', status).bytes)).toBe(
      'event: head\ndata: {"version":1}\n\n',
    );
  });
});
