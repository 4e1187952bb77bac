import { Binary } from 'bson';
import { describe, expect, it } from 'vitest';
import { type HistoryRecord, Sessions } from './sessions.js';

const id = new Binary(Buffer.alloc(16, 1), 4);
const lsid = { id };
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
const record = (t: number, at: Date, stmts: number[]): HistoryRecord => ({
  o: 'rw',
  id,
  t,
  at,
  s: stmts.map((i) => ({ i, r: { n: 1 } })),
});

describe('Sessions: the retry history restored from the journal', () => {
  it('answers a retry of the restored txnNumber and refuses an older one', () => {
    const sessions = new Sessions();
    sessions.restore(record(4, minutesAgo(1), [0]));
    sessions.restore(record(5, minutesAgo(1), [0]));
    sessions.restore(record(5, minutesAgo(1), [1]));
    sessions.touch(lsid);
    const write = sessions.retryableWrite(lsid, 5);
    expect(write.once(0, () => ({ n: 99 }))).toEqual({ n: 1 });
    expect(write.once(1, () => ({ n: 99 }))).toEqual({ n: 1 });
    expect(write.retried).toEqual([0, 1]);
    expect(write.record()).toBeUndefined(); // nothing new to journal
    expect(() => sessions.retryableWrite(lsid, 4)).toThrow(/TransactionTooOld|prohibited/);
  });

  it('keeps only the latest txnNumber per session in a snapshot, and lists no restored session', () => {
    const sessions = new Sessions();
    sessions.restore(record(1, minutesAgo(2), [0, 1]));
    const at = minutesAgo(1);
    sessions.restore(record(2, at, [0]));
    expect([...sessions.snapshot()]).toEqual([
      { o: 'rw', id, t: 2, at, s: [{ i: 0, r: { n: 1 } }] },
    ]);
    expect(sessions.list()).toEqual([]);
  });

  it('forgets a history idle past the session timeout, as mongod expires config.transactions', () => {
    const sessions = new Sessions();
    sessions.restore(record(3, minutesAgo(31), [0]));
    expect([...sessions.snapshot()]).toEqual([]);
    sessions.touch(lsid);
    const write = sessions.retryableWrite(lsid, 3);
    expect(write.once(0, () => ({ n: 2 }))).toEqual({ n: 2 });
    expect(write.record()).toMatchObject({ o: 'rw', t: 3, s: [{ i: 0, r: { n: 2 } }] });
  });
});
