import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal } from './journal.js';
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
    const seen: Change[] = [];
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
      const seen: Change[] = [];
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
    const seen: Change[] = [];
    Journal.open(dir, (c) => seen.push(c)).journal.close();
    expect(seen).toEqual([put(1), put(2)]);
  });
});
