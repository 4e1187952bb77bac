import { describe, expect, it } from 'vitest';
import type { NewArrival } from '@/lib/model/arrival';
import { ArrivalRecorder, arrivalOf } from './recorder';

const arrival = (appId: string, region = 'eu-west-1', version = 1): NewArrival =>
  arrivalOf({ appId, version, committedAt: 1_000 }, region, new Date(1_040), 'pubsub');

/** A stand-in for MongoDB that fails while `down` is set and resolves each write on demand. */
function fakeStore() {
  const written: NewArrival[][] = [];
  let down = false;
  return {
    written,
    setDown: (value: boolean) => (down = value),
    write: (batch: NewArrival[]) =>
      down
        ? Promise.reject(new Error('mongo down'))
        : (written.push([...batch]), Promise.resolve()),
  };
}

async function settle(recorder: ArrivalRecorder): Promise<void> {
  for (let i = 0; i < 50 && recorder.pending > 0; i += 1)
    await new Promise((r) => setTimeout(r, 1));
}

describe('arrivalOf', () => {
  it('computes the latency and never reports a negative one (clock skew)', () => {
    expect(arrival('a').latencyMs).toBe(40);
    expect(
      arrivalOf({ appId: 'a', version: 1, committedAt: 2_000 }, 'r', new Date(1_990), 'poll')
        .latencyMs,
    ).toBe(0);
  });
});

describe('ArrivalRecorder', () => {
  it('writes what it measured and keeps only the first measurement of a version in a region', async () => {
    const store = fakeStore();
    const recorder = new ArrivalRecorder({ write: store.write, retryMs: 1 });
    recorder.record(arrival('a'));
    recorder.record({ ...arrival('a'), method: 'poll' });
    recorder.record(arrival('a', 'ap-south-1'));
    await settle(recorder);
    const all = store.written.flat();
    expect(all.map((a) => `${a.appId}/${a.region}/${a.method}`)).toEqual([
      'a/eu-west-1/pubsub',
      'a/ap-south-1/pubsub',
    ]);
  });

  it('keeps measurements while the store is down and writes them when it is back', async () => {
    const store = fakeStore();
    store.setDown(true);
    const recorder = new ArrivalRecorder({ write: store.write, retryMs: 1 });
    recorder.record(arrival('a'));
    recorder.record(arrival('b'));
    await new Promise((r) => setTimeout(r, 10));
    expect(recorder.pending).toBe(2);
    expect(recorder.has('a', 1, 'eu-west-1')).toBe(true);
    store.setDown(false);
    await settle(recorder);
    expect(store.written.flat().map((a) => a.appId)).toEqual(['a', 'b']);
    expect(recorder.has('a', 1, 'eu-west-1')).toBe(false);
    await recorder.stop();
  });

  it('drops the oldest measurements beyond its bound', async () => {
    const store = fakeStore();
    store.setDown(true);
    const lines: string[] = [];
    const recorder = new ArrivalRecorder({
      write: store.write,
      retryMs: 1,
      maxPending: 2,
      log: (l) => lines.push(l),
    });
    for (const id of ['a', 'b', 'c']) recorder.record(arrival(id));
    expect(recorder.pending).toBe(2);
    expect(recorder.has('a', 1, 'eu-west-1')).toBe(false);
    expect(lines.join()).toMatch(/dropped 1/);
    store.setDown(false);
    await settle(recorder);
    expect(store.written.flat().map((a) => a.appId)).toEqual(['b', 'c']);
  });

  it('writes in batches', async () => {
    const store = fakeStore();
    const recorder = new ArrivalRecorder({ write: store.write, batchSize: 2 });
    store.setDown(true);
    for (const id of ['a', 'b', 'c', 'd', 'e']) recorder.record(arrival(id));
    store.setDown(false);
    await recorder.stop();
    expect(store.written.flat()).toHaveLength(5);
  });
});
