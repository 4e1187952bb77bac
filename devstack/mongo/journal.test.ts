import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Binary } from 'bson';
import { afterEach, describe, expect, it } from 'vitest';
import { type Entry, Journal } from './journal.js';
import type { Change } from './store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'journal-unit-'));
  dirs.push(d);
  return d;
};
const put = (n: number): Change => ({ o: 'put', db: 'd', c: 'c', doc: { _id: n } });

describe('Journal', () => {
  it('replays appended changes in order', () => {
    const dir = tmp();
    const { journal } = Journal.open(dir, () => undefined);
    journal.append([put(1), put(2)]);
    journal.append([put(3)]);
    journal.close();
    const seen: Entry[] = [];
    const { journal: again, replay } = Journal.open(dir, (c) => seen.push(c));
    again.close();
    expect(seen).toEqual([put(1), put(2), put(3)]);
    expect(replay).toEqual({ changes: 3, discardedBytes: 0 });
  });

  it('truncates a torn tail at every possible cut and keeps the complete records', () => {
    const dir = tmp();
    const { journal } = Journal.open(dir, () => undefined);
    journal.append([put(1)]);
    journal.close();
    const file = path.join(dir, 'journal.bin');
    const one = fs.readFileSync(file);
    for (let cut = 1; cut < one.length; cut++) {
      fs.writeFileSync(file, Buffer.concat([one, one.subarray(0, cut)]));
      const seen: Entry[] = [];
      const { journal: j, replay } = Journal.open(dir, (c) => seen.push(c));
      j.close();
      expect(seen).toEqual([put(1)]);
      expect(replay.discardedBytes).toBe(cut);
      expect(fs.statSync(file).size).toBe(one.length);
    }
  });

  it('rewrites itself to a snapshot', () => {
    const dir = tmp();
    const { journal } = Journal.open(dir, () => undefined);
    journal.append([put(1), put(1), put(1)]);
    journal.rewrite([put(1)]);
    journal.append([put(2)]);
    journal.close();
    const seen: Entry[] = [];
    Journal.open(dir, (c) => seen.push(c)).journal.close();
    expect(seen).toEqual([put(1), put(2)]);
  });

  it('keeps a group (a retry history and its changes) whole or drops all of it', () => {
    const dir = tmp();
    const { journal } = Journal.open(dir, () => undefined);
    journal.append([put(1)]);
    journal.close();
    const file = path.join(dir, 'journal.bin');
    const before = fs.statSync(file).size;
    const history: Entry = {
      o: 'rw',
      id: new Binary(Buffer.alloc(16, 7), 4),
      t: 3,
      at: new Date(0),
      s: [{ i: 0, r: { n: 1 } }],
      g: 2,
    };
    const again = Journal.open(dir, () => undefined).journal;
    again.append([history, put(2), put(3)]);
    again.close();
    const whole = fs.readFileSync(file);
    const seen: Entry[] = [];
    Journal.open(dir, (c) => seen.push(c)).journal.close();
    expect(seen.map((e) => e.o)).toEqual(['put', 'rw', 'put', 'put']);
    // Cut anywhere inside the group's last record: the history goes with the changes.
    for (const cut of [whole.length - 1, whole.length - 20, before + 10]) {
      fs.writeFileSync(file, whole.subarray(0, cut));
      const kept: Entry[] = [];
      const { journal: j, replay } = Journal.open(dir, (c) => kept.push(c));
      j.close();
      expect(kept).toEqual([put(1)]);
      expect(replay).toEqual({ changes: 1, discardedBytes: cut - before });
    }
  });
});
